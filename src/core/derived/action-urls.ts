/**
 * `<action>_url` fields: the URL of the record's own `<action>` (authentik/flows/api/flows.py,
 * `FlowSerializer.get_export_url`: `reverse("authentik_api:flow-export", kwargs={"slug": flow.slug})` →
 * `/api/v3/flows/instances/<slug>/export/`). Derived from the contract: a read-only string field of a resource's
 * records named after an action the contract documents on each of them.
 */
import { properties } from '../../contract/entity-model.js';
import type { Feature } from '../extensions.js';

const ACTION_URL = /^(.+)_url$/;

export const actionUrls: Feature = ({ world }) => {
  for (const resource of world.resources) {
    if (!resource.lookupParam) continue;
    for (const [field, schema] of Object.entries(properties(resource.type.schema))) {
      const action = ACTION_URL.exec(field)?.[1];
      if (!action || schema.readOnly !== true || world.contract.resolve(schema).type !== 'string') continue;
      const path = `${resource.path}{${resource.lookupParam}}/${action}/`;
      const operation = world.contract.operations.find((o) => o.method === 'GET' && o.path === path);
      if (!operation) continue;
      const base = `${operation.server.replace(/\/$/, '')}${resource.path}`;
      world.renderer.define(
        resource.entity,
        field,
        (record) => `${base}${encodeURIComponent(String(record[resource.lookupField]))}/${action}/`,
      );
    }
  }
};
