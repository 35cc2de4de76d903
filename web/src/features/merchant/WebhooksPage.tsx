import { Link } from '@tanstack/react-router';
import { EndpointList, NewEndpoint } from '../webhooks/EndpointList';
import { useMerchantClient } from './context';

/** The merchant's webhook endpoints (this mode's), and a new one. */
export function WebhooksPage() {
  const { client, key, merchant } = useMerchantClient();
  return (
    <>
      <EndpointList
        client={client}
        scope={key()}
        emptyText="No endpoints: add one to hear about paid invoices"
        link={(e) => (
          <Link
            to="/merchant/$merchantId/webhooks/$endpointId"
            params={{ merchantId: merchant.id, endpointId: e.id }}
          >
            {e.url}
          </Link>
        )}
      />
      <NewEndpoint client={client} scope={key()} />
    </>
  );
}
