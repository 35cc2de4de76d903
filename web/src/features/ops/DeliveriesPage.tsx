import { Link } from '@tanstack/react-router';
import { api } from '../../api';
import { EndpointList } from '../webhooks/EndpointList';

/**
 * Every webhook endpoint on the platform (staff see all owners'), the failing ones first
 * to look at: open one for its dead letters and replay them.
 */
export function DeliveriesPage() {
  return (
    <>
      <p className="muted">
        Webhook deliveries of every owner. An endpoint failing since a time has messages retrying;
        those out of attempts are its dead letters, replayed from its page.
      </p>
      <EndpointList
        client={api}
        scope={['ops']}
        emptyText="No webhook endpoints on this platform"
        link={(e) => (
          <Link to="/ops/deliveries/$endpointId" params={{ endpointId: e.id }}>
            {e.url}
          </Link>
        )}
      />
    </>
  );
}
