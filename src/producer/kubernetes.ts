import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { HookResult, ProducerControl } from './control.js';

/**
 * A chain's block producer as a Kubernetes workload: becoming active scales it up,
 * stopping being active scales it to 0 and waits until no replica is left, through the
 * API server's `scale` subresource (autoscaling/v1 Scale,
 * `PATCH /apis/apps/v1/namespaces/{ns}/{deployments|statefulsets}/{name}/scale`).
 */
export const KubernetesTargetSchema = z.object({
  kind: z.enum(['Deployment', 'StatefulSet']),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/),
  name: z.string().regex(/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/),
  /** Replicas while active (a validator runs one). */
  replicas: z.number().int().min(1).max(10).default(1),
  /** API server URL; in a pod, the in-cluster address. */
  apiServer: z
    .string()
    .regex(/^https?:\/\/[^\s/]+\/?$/)
    .default('https://kubernetes.default.svc'),
  /** Bearer token file (the pod's service account by default). */
  tokenFile: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
  /** CA bundle of the API server (the service account's by default); unused over http. */
  caFile: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
});
export type KubernetesTarget = z.infer<typeof KubernetesTargetSchema>;

/** The autoscaling/v1 Scale fields read here. */
interface Scale {
  kind: string;
  spec?: { replicas?: number };
  status?: { replicas: number };
}

export function scalePath(t: Pick<KubernetesTarget, 'kind' | 'namespace' | 'name'>): string {
  const resource = t.kind === 'Deployment' ? 'deployments' : 'statefulsets';
  return `/apis/apps/v1/namespaces/${encodeURIComponent(t.namespace)}/${resource}/${encodeURIComponent(t.name)}/scale`;
}

export function createKubernetesControl(o: {
  region: string;
  target: (chain: string) => KubernetesTarget | undefined;
  /** How long a scale (down: until no replica is left) may take. */
  timeoutMs: number;
  pollMs?: number;
  onResult?: (chain: string, event: 'start' | 'stop', r: HookResult) => void;
}): ProducerControl {
  const pollMs = o.pollMs ?? 500;
  const agents = new Map<string, Dispatcher>();
  const agentFor = (t: KubernetesTarget): Dispatcher | undefined => {
    if (!t.apiServer.startsWith('https:')) return undefined;
    let a = agents.get(t.caFile);
    if (!a) {
      // The CA is read once per file: a service account's CA does not change under a pod.
      a = new Agent({ connect: { ca: readFileSync(t.caFile, 'utf8') } });
      agents.set(t.caFile, a);
    }
    return a;
  };

  async function call(
    t: KubernetesTarget,
    method: 'GET' | 'PATCH',
    body: unknown,
    signal: AbortSignal,
  ): Promise<Scale> {
    // Read each time: projected service-account tokens are rotated by the kubelet.
    const token = readFileSync(t.tokenFile, 'utf8').trim();
    const res = await request(`${t.apiServer.replace(/\/$/, '')}${scalePath(t)}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/merge-patch+json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      dispatcher: agentFor(t),
      signal,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) {
      // The API server answers errors as a Status object with a message.
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new Error(`${method} ${scalePath(t)}: HTTP ${res.statusCode}: ${message}`);
    }
    const scale = JSON.parse(text) as Scale;
    if (scale.kind !== 'Scale') throw new Error(`${method} ${scalePath(t)}: not a Scale object`);
    return scale;
  }

  async function scale(chain: string, event: 'start' | 'stop'): Promise<HookResult | undefined> {
    const t = o.target(chain);
    if (!t) return undefined;
    const replicas = event === 'start' ? t.replicas : 0;
    const command = `scale ${t.kind.toLowerCase()} ${t.namespace}/${t.name} to ${replicas}`;
    const signal = AbortSignal.timeout(o.timeoutMs);
    let result: HookResult;
    try {
      let s = await call(t, 'PATCH', { spec: { replicas } }, signal);
      // Stopping is done only when no replica is left (the old producer cannot sign any
      // more): the lease is released after this returns.
      while (event === 'stop' && (s.status?.replicas ?? 0) > 0) {
        await new Promise((r) => setTimeout(r, pollMs));
        if (signal.aborted) throw new Error(`still ${s.status?.replicas} replicas`);
        s = await call(t, 'GET', undefined, signal);
      }
      result = {
        command,
        exitCode: 0,
        timedOut: false,
        output: `spec.replicas=${s.spec?.replicas ?? '?'} status.replicas=${s.status?.replicas ?? '?'}`,
      };
    } catch (err) {
      result = {
        command,
        exitCode: 1,
        timedOut: signal.aborted,
        output: err instanceof Error ? err.message : String(err),
      };
    }
    o.onResult?.(chain, event, result);
    return result;
  }

  const queues = new Map<string, Promise<unknown>>();
  const enqueue = <T>(chain: string, fn: () => Promise<T>): Promise<T> => {
    const next = (queues.get(chain) ?? Promise.resolve()).then(fn, fn);
    queues.set(
      chain,
      next.catch(() => {}),
    );
    return next;
  };
  return {
    activated: (chain) => enqueue(chain, () => scale(chain, 'start')),
    deactivated: (chain) => enqueue(chain, () => scale(chain, 'stop')),
  };
}
