import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { api, formatAmount, unwrap, VaultwireApiError, type Schema } from '../../api';
import { Page } from '../../components/Layout';
import { LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { assetsQuery } from './queries';

/**
 * Buy, sell or convert: a quote locks the price, fee and both amounts for a few seconds;
 * the countdown shows how long; executing an expired quote moves nothing.
 */
export function TradePage() {
  const assets = useQuery(assetsQuery);
  const [quote, setQuote] = useState<Schema<'Quote'>>();
  const [trade, setTrade] = useState<Schema<'Trade'>>();
  return (
    <Page title="Buy, sell, convert">
      {assets.isPending ? (
        <Loading />
      ) : assets.isError ? (
        <LoadError error={assets.error} retry={() => void assets.refetch()} />
      ) : trade ? (
        <>
          <div className="card success" role="status">
            <p className="big">+{formatAmount(trade.receive_amount, trade.to_asset)}</p>
            <p>
              for {formatAmount(trade.spend_amount, trade.from_asset)} (fee{' '}
              {formatAmount(trade.fee_amount, trade.fee_asset)})
            </p>
          </div>
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                setTrade(undefined);
                setQuote(undefined);
              }}
            >
              New trade
            </button>
            <Link to="/" className="button secondary">
              See balances
            </Link>
          </div>
        </>
      ) : quote ? (
        <QuoteCard
          quote={quote}
          onDone={setTrade}
          onDiscard={() => {
            setQuote(undefined);
          }}
        />
      ) : (
        <QuoteForm codes={assets.data.map((a) => a.code)} onQuote={setQuote} />
      )}
    </Page>
  );
}

function QuoteForm({ codes, onQuote }: { codes: string[]; onQuote: (q: Schema<'Quote'>) => void }) {
  const form = useApiForm(
    'createQuote',
    {
      from: codes.includes('USD') ? 'USD' : (codes[0] ?? ''),
      to: codes.includes('BTC') ? 'BTC' : (codes[1] ?? ''),
      spend_amount: '',
    },
    async (v) => {
      onQuote(
        unwrap(
          await api.POST('/v1/quotes', {
            body: { from: v.from, to: v.to, spend_amount: v.spend_amount.trim() },
          }),
        ),
      );
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      <FormError message={form.formError} />
      <Field form={form} name="from" label="You spend">
        {codes.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </Field>
      <Field
        form={form}
        name="spend_amount"
        label="Amount to spend (fee included)"
        inputMode="decimal"
        autoComplete="off"
      />
      <Field form={form} name="to" label="You receive">
        {codes.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </Field>
      <Submit busy={form.submitting}>Get a quote</Submit>
    </form>
  );
}

function useSecondsLeft(until: string): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 250);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
}

function QuoteCard({
  quote,
  onDone,
  onDiscard,
}: {
  quote: Schema<'Quote'>;
  onDone: (t: Schema<'Trade'>) => void;
  onDiscard: () => void;
}) {
  const queryClient = useQueryClient();
  const left = useSecondsLeft(quote.expires_at);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const execute = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const trade = unwrap(
        await api.POST('/v1/quotes/{id}/execute', { params: { path: { id: quote.id } } }),
      );
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      await queryClient.invalidateQueries({ queryKey: ['history'] });
      onDone(trade);
    } catch (err) {
      setError(err instanceof VaultwireApiError ? err.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card quote">
      <h2>
        {quote.side === 'buy' ? 'Buy' : quote.side === 'sell' ? 'Sell' : 'Convert'} {quote.to_asset}
      </h2>
      <dl className="facts">
        <dt>You pay</dt>
        <dd>{formatAmount(quote.spend_amount, quote.from_asset)}</dd>
        <dt>Fee (included)</dt>
        <dd>{formatAmount(quote.fee_amount, quote.fee_asset)}</dd>
        <dt>You get</dt>
        <dd className="big">{formatAmount(quote.receive_amount, quote.to_asset)}</dd>
        <dt>Price</dt>
        <dd>
          {quote.price} {quote.price_pair}
        </dd>
      </dl>
      <p className={`countdown ${left <= 5 ? 'urgent' : ''}`} role="timer" aria-live="off">
        {left > 0 ? `Price locked for ${left} s` : 'This quote has expired'}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        {left > 0 ? (
          <button type="button" className="button" disabled={busy} onClick={() => void execute()}>
            {busy ? 'Working…' : 'Confirm'}
          </button>
        ) : null}
        <button type="button" className="button secondary" onClick={onDiscard}>
          {left > 0 ? 'Cancel' : 'Get a new quote'}
        </button>
      </div>
    </div>
  );
}
