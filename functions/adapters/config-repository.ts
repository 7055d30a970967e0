import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseRoutingConfig } from '../core/config.js';
import type { ConfigRepository, StoredConfig } from '../core/ports/repositories.js';
import { conflictOnFailedCondition } from './conditional-writes.js';
import type { TableRef } from './dynamo.js';
import { configCurrentKey, configPointerKey, configVersionKey } from './keys.js';

type Item = Record<string, unknown>;

function storedOf(item: Item): StoredConfig {
  return {
    version: Number(item.version),
    // Stored documents were validated on the way in; parsing again fills defaults added since.
    config: parseRoutingConfig(item.configGz ? JSON.parse(gunzipSync(item.configGz as Uint8Array).toString('utf8')) : item.config),
    appliedAt: String(item.appliedAt),
    appliedBy: String(item.appliedBy),
  };
}

/**
 * The routing configuration, versioned: every applied document is kept as `V#n`, `POINTER` names
 * the applied version, and `CURRENT` holds a copy of the newest (what deployments before the
 * pointer read). Two admins applying at once cannot both win: the write is conditional on the
 * version each one read.
 *
 * Nearly every use case reads the configuration, so at a company's peak (docs/architecture.md#sharded-partitions)
 * its partition is read thousands of times a second. A reader therefore reads the pointer
 * (consistently, one read unit) and keeps each version it has parsed: versions never change, so
 * the answer is the same as reading `CURRENT` every time, for one unit instead of one per 4 KB of
 * the document, and without unzipping and parsing it again.
 */
export function makeConfigRepository({ client, tableName }: TableRef): ConfigRepository {
  /** The newest version this reader has parsed. */
  let parsed: StoredConfig | undefined;
  const get = async (key: Record<string, string>): Promise<Item | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const keep = (stored: StoredConfig) => {
    if (!parsed || stored.version >= parsed.version) parsed = stored;
    // A copy for each caller: none of them can change what the next one reads.
    return structuredClone(stored);
  };

  return {
    async getCurrent() {
      const pointer = await get(configPointerKey());
      if (pointer) {
        const version = Number(pointer.version);
        if (parsed?.version === version) return structuredClone(parsed);
        const item = await get(configVersionKey(version));
        if (item) return keep(storedOf(item));
      }
      // Applied before the pointer existed: the copy of the newest.
      const current = await get(configCurrentKey());
      return current ? keep(storedOf(current)) : undefined;
    },

    async currentVersion() {
      // Only the version attribute comes back, eventually consistent: the health check neither
      // transfers nor parses the document, and a public probe costs half a strongly consistent read.
      const res = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: configCurrentKey(),
          ProjectionExpression: '#version',
          ExpressionAttributeNames: { '#version': 'version' },
        }),
      );
      return res.Item ? Number(res.Item.version) : undefined;
    },

    async put(config, expectedVersion, appliedBy, at): Promise<StoredConfig> {
      const version = expectedVersion + 1;
      const body = { version, config, appliedAt: at, appliedBy };
      // Stored gzipped: a configuration with a thousand agents and hundreds of rules is several
      // hundred KB of JSON, over DynamoDB's 400 KB item limit; compressed it is a few dozen KB.
      const stored = { version, configGz: gzipSync(JSON.stringify(config)), appliedAt: at, appliedBy };
      // Either item's condition failing means another apply got there first.
      await conflictOnFailedCondition(
        () =>
          client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...configCurrentKey(), entity: 'config', ...stored },
                    ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
                    ...(expectedVersion === 0
                      ? {}
                      : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...configVersionKey(version), entity: 'configVersion', ...stored },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                { Put: { TableName: tableName, Item: { ...configPointerKey(), entity: 'configPointer', version } } },
              ],
            }),
          ),
        `the configuration changed since version ${expectedVersion}`,
        undefined,
      );
      return body;
    },
  };
}
