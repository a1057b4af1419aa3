/**
 * An in-memory BlueprintTarget for the blueprints tests: models declared with their required and unique fields,
 * records as plain objects with a generated `pk` (and `pbm_uuid` for PolicyBindingModels), snapshots for
 * transactions, DRF-style validation errors.
 */
import { BlueprintValidationError, type FieldErrors } from '../../src/blueprints/errors.js';
import type { BlueprintQuery, BlueprintRecord, BlueprintTarget, PermissionGrant } from '../../src/blueprints/types.js';

export interface FakeModel {
  /** Fields a create needs (absent, null or "" → `This field is required.`). */
  required?: string[];
  /** Fields no two records share (`… with this <field> already exists.`). */
  unique?: string[];
  /** A PolicyBindingModel: records get a `pbm_uuid`. */
  policyBindingModel?: boolean;
}

type Row = Record<string, unknown>;

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

function contains(container: unknown, expected: Record<string, unknown>): boolean {
  if (typeof container !== 'object' || container === null) return false;
  return Object.entries(expected).every(([key, value]) => {
    const inner = (container as Row)[key];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? contains(inner, value as Row) : same(inner, value);
  });
}

export class FakeTarget implements BlueprintTarget {
  rows = new Map<string, Row[]>();
  grants: Array<{ model: string; pk: unknown } & PermissionGrant> = [];
  /** Every write, in order: `create model`, `update model`, `remove model`. */
  log: string[] = [];
  private nextId = 1;

  constructor(readonly models: Record<string, FakeModel>) {}

  hasModel(model: string): boolean {
    return Object.hasOwn(this.models, model);
  }

  all(model: string): Row[] {
    return this.rows.get(model) ?? [];
  }

  one(model: string, where: Row): Row | undefined {
    return this.all(model).find((row) => Object.entries(where).every(([field, value]) => same(row[field], value)));
  }

  find(model: string, query: BlueprintQuery): BlueprintRecord | undefined {
    const fieldConditions = Object.keys(query.equals).length + Object.keys(query.contains).length;
    return this.all(model).find((row) => {
      if (query.pk !== undefined && same(row.pk, query.pk)) return true;
      if (query.pk !== undefined && fieldConditions === 0) return false;
      return (
        Object.entries(query.equals).every(([field, value]) => same(row[field], value)) &&
        Object.entries(query.contains).every(([field, value]) => contains(row[field], value))
      );
    });
  }

  private validate(model: string, row: Row, self?: Row): void {
    const spec = this.models[model]!;
    const errors: FieldErrors = {};
    for (const field of spec.required ?? [])
      if (row[field] === undefined || row[field] === null || row[field] === '') errors[field] = ['This field is required.'];
    for (const field of spec.unique ?? [])
      if (row[field] !== undefined && this.all(model).some((other) => other !== self && same(other[field], row[field])))
        errors[field] = [`${model.split('.')[1]} with this ${field} already exists.`];
    if (Object.keys(errors).length > 0) throw new BlueprintValidationError(errors);
  }

  create(model: string, values: Record<string, unknown>, pk?: unknown): BlueprintRecord {
    const row: Row = { pk: pk ?? `${model.split('.')[1]}-${this.nextId++}`, ...values };
    if (this.models[model]!.policyBindingModel) row.pbm_uuid = `pbm-${this.nextId++}`;
    this.validate(model, row);
    this.rows.set(model, [...this.all(model), row]);
    this.log.push(`create ${model}`);
    return row;
  }

  update(model: string, record: BlueprintRecord, values: Record<string, unknown>): BlueprintRecord {
    const row: Row = { ...record, ...values, pk: record.pk };
    this.validate(model, row, record as Row);
    this.rows.set(
      model,
      this.all(model).map((other) => (other === record ? row : other)),
    );
    this.log.push(`update ${model}`);
    return row;
  }

  remove(model: string, record: BlueprintRecord): void {
    this.rows.set(
      model,
      this.all(model).filter((other) => other !== record),
    );
    this.log.push(`remove ${model}`);
  }

  keysOf(model: string, record: BlueprintRecord): { pk: unknown; policyBindingModelKey?: unknown } {
    return { pk: record.pk, policyBindingModelKey: this.models[model]!.policyBindingModel ? record.pbm_uuid : undefined };
  }

  transaction<T>(work: () => T): T {
    const saved = { rows: new Map(this.rows), grants: [...this.grants], log: [...this.log] };
    try {
      return work();
    } catch (error) {
      Object.assign(this, saved);
      throw error;
    }
  }

  assignPermission(model: string, record: BlueprintRecord, grant: PermissionGrant): void {
    if (grant.user === null && grant.role === null) throw new Error('a permission needs a user or a role');
    this.grants.push({ model, pk: record.pk, ...grant });
  }
}

/** The models authentik's shipped system/ and default/ blueprints use, as a fake target declares them. */
export const AUTHENTIK_DEFAULT_MODELS: Record<string, FakeModel> = {
  'authentik_core.group': { required: ['name'], unique: ['name'] },
  'authentik_core.user': { required: ['username', 'name'], unique: ['username'] },
  'authentik_core.token': { required: ['identifier'], unique: ['identifier'] },
  'authentik_brands.brand': { required: ['domain'], unique: ['domain'] },
  'authentik_rbac.role': { required: ['name'], unique: ['name'] },
  'authentik_flows.flow': { required: ['slug', 'name', 'title', 'designation'], unique: ['slug'], policyBindingModel: true },
  'authentik_flows.flowstagebinding': { required: ['target', 'stage', 'order'], policyBindingModel: true },
  'authentik_policies.policybinding': { required: ['target', 'order'] },
  'authentik_policies_expression.expressionpolicy': { required: ['name', 'expression'], unique: ['name'] },
  'authentik_policies_event_matcher.eventmatcherpolicy': { required: ['name'], unique: ['name'] },
  'authentik_events.notificationtransport': { required: ['name'], unique: ['name'] },
  'authentik_events.notificationrule': { required: ['name'], unique: ['name'] },
  'authentik_providers_oauth2.scopemapping': { required: ['name', 'scope_name', 'expression'] },
  'authentik_providers_saml.samlpropertymapping': { required: ['name', 'saml_name', 'expression'] },
  'authentik_providers_scim.scimmapping': { required: ['name', 'expression'] },
  'authentik_providers_rac.racpropertymapping': { required: ['name'] },
  'authentik_providers_google_workspace.googleworkspaceprovidermapping': { required: ['name', 'expression'] },
  'authentik_providers_microsoft_entra.microsoftentraprovidermapping': { required: ['name', 'expression'] },
  'authentik_sources_ldap.ldapsourcepropertymapping': { required: ['name', 'expression'] },
  'authentik_stages_prompt.prompt': { required: ['field_key', 'label', 'type'] },
  'authentik_stages_prompt.promptstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_password.passwordstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_identification.identificationstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_user_login.userloginstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_user_logout.userlogoutstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_user_write.userwritestage': { required: ['name'], unique: ['name'] },
  'authentik_stages_consent.consentstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_authenticator_validate.authenticatorvalidatestage': { required: ['name'], unique: ['name'] },
  'authentik_stages_authenticator_totp.authenticatortotpstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_authenticator_static.authenticatorstaticstage': { required: ['name'], unique: ['name'] },
  'authentik_stages_authenticator_webauthn.authenticatorwebauthnstage': { required: ['name'], unique: ['name'] },
};
