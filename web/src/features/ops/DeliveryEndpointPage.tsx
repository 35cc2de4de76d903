import { getRouteApi, Link } from '@tanstack/react-router';
import { api } from '../../api';
import { EndpointDetail } from '../webhooks/EndpointDetail';

const route = getRouteApi('/_app/ops/deliveries/$endpointId');

export function DeliveryEndpointPage() {
  const { endpointId } = route.useParams();
  return (
    <>
      <p>
        <Link to="/ops/deliveries">← All endpoints</Link>
      </p>
      <EndpointDetail client={api} endpointId={endpointId} scope={['ops']} />
    </>
  );
}
