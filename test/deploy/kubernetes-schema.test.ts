import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The manifests in deploy/ against the Kubernetes API's own schemas, as a cluster would
 * read them, without a cluster: the built-in kinds against Kubernetes' OpenAPI types
 * (`kubernetes-models`), the KEDA ScaledObject and the Prometheus-operator PodMonitor
 * against theirs. Two checks, because neither catches everything alone:
 * - each model's JSON-schema validation: required fields, types, enums, formats;
 * - a TypeScript check of each manifest as an object literal `satisfies` its API type:
 *   an unknown field (a misspelt `readinessProbe`, a field at the wrong level) is an
 *   error there, where the schemas allow any extra key and a cluster would drop it or
 *   only warn.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const scratch = join(repo, '.test-data');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'k8s-types-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Manifest {
  file: string;
  doc: { apiVersion: string; kind: string; metadata: { name: string } };
}

const kustomization = parse(readFileSync(join(repo, 'deploy/kustomization.yaml'), 'utf8')) as {
  resources: string[];
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(repo, 'deploy', file), 'utf8')).map((d) => ({
    file,
    doc: d.toJS() as Manifest['doc'],
  })),
);

/** The module that models an apiVersion's kinds (each kind is `<module>/<Kind>`). */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}`;
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

/**
 * TypeScript's diagnostics for `docs` written as literals that must satisfy their API
 * types; an empty list when every one does.
 */
function typeErrors(docs: Manifest['doc'][]): string[] {
  const lines: string[] = [];
  docs.forEach((doc, i) => {
    const type = `I${doc.kind}`;
    lines.push(
      `import type { ${type} as T${i} } from '${modelModule(doc.apiVersion)}/${doc.kind}';`,
      `export const m${i} = ${JSON.stringify(doc)} satisfies T${i};`,
    );
  });
  const file = join(dir, `manifests-${docs.length}-${Date.now()}.ts`);
  writeFileSync(file, lines.join('\n'));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    // Each manifest is on its own line pair: line 2i+1 is manifest i.
    const m = manifests.find((x) => x.doc === docs[Math.floor(line / 2)]);
    return `${m ? `${m.file} ${m.doc.kind}/${m.doc.metadata.name}` : `line ${line}`}: ${text}`;
  });
}

describe('deploy/ against the Kubernetes API schemas', () => {
  it('every manifest passes its kind’s schema validation', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(12);
    const failures: string[] = [];
    for (const { file, doc } of manifests) {
      const models = (await import(modelModule(doc.apiVersion))) as Record<
        string,
        (new (data: unknown) => { validate(): void }) | undefined
      >;
      const Model = models[doc.kind];
      if (!Model) {
        failures.push(`${file}: no model for ${doc.apiVersion} ${doc.kind}`);
        continue;
      }
      try {
        new Model(doc).validate();
      } catch (err) {
        failures.push(`${file} ${doc.kind}/${doc.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('no manifest has a field its API does not define, or a value of the wrong type', () => {
    expect(typeErrors(manifests.map((m) => m.doc))).toEqual([]);
  });

  it('the type check does catch a misspelt field and a string where a number belongs', () => {
    const delivery = manifests.find(
      (m) => m.doc.kind === 'Deployment' && m.doc.metadata.name === 'vaultwire-delivery',
    );
    if (!delivery) throw new Error('no delivery Deployment');
    const text = JSON.stringify(delivery.doc);
    expect(text).toContain('"readinessProbe"');
    const misspelt = JSON.parse(
      text.replace('"readinessProbe"', '"readinesProbe"'),
    ) as Manifest['doc'];
    expect(typeErrors([misspelt]).join('\n')).toMatch(/readinesProbe/);
    const wrongType = JSON.parse(text) as { spec: { replicas?: unknown } } & Manifest['doc'];
    wrongType.spec.replicas = 'two';
    expect(typeErrors([wrongType]).join('\n')).toMatch(/replicas|number/);
  });
});
