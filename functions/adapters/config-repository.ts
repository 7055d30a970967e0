import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseRoutingConfig } from '../core/config.js';
import { ConflictError } from '../core/errors.js';
import type { ConfigRepository, StoredConfig } from '../core/ports.js';
import type { TableRef } from './dynamo.js';
import { transactionCancellationCodes } from './dynamo.js';
import { configCurrentKey, configVersionKey } from './keys.js';

/**
 * The routing configuration, versioned: every applied document is kept as `V#n`, and `CURRENT`
 * holds a copy of the newest so reading it is one GetItem. Two admins applying at once cannot
 * both win: the write is conditional on the version each one read.
 */
export function makeConfigRepository({ client, tableName }: TableRef): ConfigRepository {
  return {
    async getCurrent() {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: configCurrentKey(), ConsistentRead: true }));
      if (!res.Item) return undefined;
      return {
        version: Number(res.Item.version),
        // Stored documents were validated on the way in; parsing again fills defaults added since.
        config: parseRoutingConfig(res.Item.configGz ? JSON.parse(gunzipSync(res.Item.configGz as Uint8Array).toString('utf8')) : res.Item.config),
        appliedAt: String(res.Item.appliedAt),
        appliedBy: String(res.Item.appliedBy),
      };
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
      try {
        await client.send(
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
            ],
          }),
        );
      } catch (error) {
        if (transactionCancellationCodes(error)?.includes('ConditionalCheckFailed')) {
          throw new ConflictError(`the configuration changed since version ${expectedVersion}`);
        }
        throw error;
      }
      return body;
    },
  };
}
