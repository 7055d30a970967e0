import type { RoutingConfig } from '../config.js';
import { ConfigurationMissingError } from '../errors.js';
import type { ConfigRepository } from '../ports/repositories.js';

export type ConfigSource = Pick<ConfigRepository, 'getCurrent'>;

export async function loadConfig(configs: ConfigSource): Promise<RoutingConfig> {
  const stored = await configs.getCurrent();
  if (!stored) throw new ConfigurationMissingError('no routing configuration has been applied yet');
  return stored.config;
}
