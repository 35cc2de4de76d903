import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import type { FieldRule as Rule } from '../packages/client/src/validate.js';
import { buildVaultwire } from '../src/app.js';
import { migrationSources } from '../src/migrations.js';
import { loadConfig } from '../src/modules.js';
import { openDb } from '../src/platform/db/drivers.js';
import { migrate } from '../src/platform/db/migrate.js';

export const SCHEMA_PATH = 'packages/client/src/schema.ts';
export const RULES_PATH = 'packages/client/src/rules.ts';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  format?: string;
  enum?: unknown[];
  description?: string;
  $ref?: string;
}

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        requestBody?: { content: Record<string, { schema?: JsonSchema } | undefined> };
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** The server's `/openapi.json`, from an app built on an in-memory database (no port). */
export async function readOpenApiDocument(): Promise<OpenApiDocument & Record<string, unknown>> {
  const db = await openDb({ dataDir: 'memory://' });
  try {
    await migrate(db, { sources: migrationSources() });
    const config = loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        VW_DATA_DIR: 'memory://',
        VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });
    const vw = await buildVaultwire({ config, db, migrate: false });
    try {
      const res = await vw.http.request('/openapi.json');
      if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
      return (await res.json()) as OpenApiDocument & Record<string, unknown>;
    } finally {
      await vw.lifecycle.stop('client types generated');
    }
  } finally {
    await db.close();
  }
}

/**
 * The field rules of every JSON request body, by operation id (`createUser`): the
 * constraints the API checks on each field, so a form refuses what the API would refuse
 * before sending it.
 */
export function requestRules(doc: OpenApiDocument): Record<string, Record<string, FieldRule>> {
  const out: Record<string, Record<string, FieldRule>> = {};
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: JsonSchema | undefined): JsonSchema | undefined =>
    s?.$ref ? schemas[s.$ref.replace('#/components/schemas/', '')] : s;
  const operations = Object.values(doc.paths ?? {}).flatMap((item) => Object.values(item));
  for (const op of operations.sort((a, b) => a.operationId.localeCompare(b.operationId))) {
    const schema = resolve(op.requestBody?.content['application/json']?.schema);
    if (!schema?.properties) continue;
    const fields: Record<string, FieldRule> = {};
    for (const [field, s] of Object.entries(schema.properties)) {
      const rule: FieldRule = { required: schema.required?.includes(field) ?? false };
      if (typeof s.type === 'string') rule.type = s.type;
      if (s.pattern !== undefined) rule.pattern = s.pattern;
      if (s.minLength !== undefined) rule.minLength = s.minLength;
      if (s.maxLength !== undefined) rule.maxLength = s.maxLength;
      if (s.format !== undefined) rule.format = s.format;
      if (s.enum?.every((v) => typeof v === 'string')) rule.enum = s.enum;
      fields[field] = rule;
    }
    out[op.operationId] = fields;
  }
  return out;
}

/** `POST /v1/users`-style keys of the operations whose JSON body has a password field. */
export function passwordRequests(doc: OpenApiDocument): string[] {
  const schemas = doc.components?.schemas ?? {};
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      let schema = op.requestBody?.content['application/json']?.schema;
      if (schema?.$ref) schema = schemas[schema.$ref.replace('#/components/schemas/', '')];
      if (Object.keys(schema?.properties ?? {}).some((f) => f.includes('password'))) {
        out.push(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return out.sort();
}

type FieldRule = { -readonly [K in keyof Rule]: Rule[K] };

const HEADER = (what: string) =>
  `// Generated from the server's /openapi.json by \`npm run client:generate\`: do not edit.\n// ${what}\n`;

/** The generated files by path, formatted as Prettier would. */
export async function generateClientFiles(): Promise<Record<string, string>> {
  const doc = await readOpenApiDocument();
  const ast = await openapiTS(doc as unknown as OpenAPI3);
  const schema =
    HEADER('Types of every path, operation and component of the Vaultwire API.') +
    '/* eslint-disable */\n' +
    astToString(ast);
  const rules =
    HEADER('What the API checks on each request-body field, by operation id.') +
    `import type { FieldRule } from './validate.js';\n\n` +
    `export const REQUEST_RULES = ${JSON.stringify(requestRules(doc), null, 2)} as const satisfies Record<string, Record<string, FieldRule>>;\n\n` +
    '/** Requests that carry a password: the API refuses an Idempotency-Key on them (it would store a fast hash of the password). */\n' +
    `export const NO_IDEMPOTENCY_KEY: ReadonlySet<string> = new Set(${JSON.stringify(passwordRequests(doc))});\n`;
  const options = (await resolveConfig(SCHEMA_PATH)) ?? {};
  return {
    [SCHEMA_PATH]: await format(schema, { ...options, filepath: SCHEMA_PATH }),
    [RULES_PATH]: await format(rules, { ...options, filepath: RULES_PATH }),
  };
}
