import { getRouteApi, Link } from '@tanstack/react-router';
import { EndpointDetail } from '../webhooks/EndpointDetail';
import { useMerchantClient } from './context';

const route = getRouteApi('/_app/merchant/$merchantId/webhooks/$endpointId');

export function WebhookEndpointPage() {
  const { endpointId } = route.useParams();
  const { client, key, merchant } = useMerchantClient();
  return (
    <>
      <p>
        <Link to="/merchant/$merchantId/webhooks" params={{ merchantId: merchant.id }}>
          ← All endpoints
        </Link>
      </p>
      <EndpointDetail client={client} endpointId={endpointId} scope={key()} />
    </>
  );
}
