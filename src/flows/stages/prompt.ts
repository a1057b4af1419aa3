/**
 * The prompt stage (authentik/stages/prompt/stage.py `PromptStageView`, `PromptChallengeResponse`; models.py
 * `Prompt.field`): the stage's prompts by `order`, each a field of the response read by its type in DRF's words; a
 * `username` already taken, two `password` fields that differ, are refused as authentik refuses them. The values go
 * to the plan's `prompt_data`. Placeholders and initial values given as expressions (Python) are shown empty.
 */
import { FIELD_MESSAGES } from '../../contract/authentik-messages.js';
import type { WorldRecord } from '../../contract/entity-model.js';
import { fieldError, errorDetail, type ResponseErrors } from '../challenges.js';
import { MODEL } from '../models.js';
import type { StageHandler, StageOutcome, StageRun } from '../stage.js';

const COMPONENT = 'ak-stage-prompt';
const CHOICE_TYPES = new Set(['radio-button-group', 'dropdown']);
const READ_ONLY_TYPES = new Set(['text_read_only', 'text_area_read_only', 'hidden', 'static']);
/** Types never required (a checkbox is false when unticked; a separator has no value). */
const NEVER_REQUIRED = new Set(['checkbox', 'separator', 'static']);

function prompts(run: StageRun): WorldRecord[] {
  const pks = Array.isArray(run.stage?.['fields']) ? (run.stage['fields'] as unknown[]) : [];
  return pks
    .map((pk) => run.models.get(MODEL.prompt, pk))
    .filter((p): p is WorldRecord => !!p)
    .sort((a, b) => Number(a['order'] ?? 0) - Number(b['order'] ?? 0));
}

const text = (value: unknown, expression: unknown) => (expression === true ? '' : typeof value === 'string' ? value : '');

function choicesOf(prompt: WorldRecord): string[] | null {
  return CHOICE_TYPES.has(String(prompt['type'])) ? [text(prompt['placeholder'], prompt['placeholder_expression'])] : null;
}

/** `StagePromptSerializer` of a prompt: every value a string, `choices` only for choice types. */
function stagePrompt(run: StageRun, prompt: WorldRecord): Record<string, unknown> {
  const key = String(prompt['field_key']);
  const earlier = run.plan.context.prompt_data?.[key];
  return {
    field_key: key,
    label: String(prompt['label'] ?? ''),
    type: prompt['type'],
    required: prompt['required'] !== false,
    placeholder: text(prompt['placeholder'], prompt['placeholder_expression']),
    initial_value: earlier !== undefined ? String(earlier) : text(prompt['initial_value'], prompt['initial_value_expression']),
    order: Number(prompt['order'] ?? 0),
    sub_text: String(prompt['sub_text'] ?? ''),
    choices: choicesOf(prompt),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One field as its type reads it: the value, or DRF's message. */
function readField(run: StageRun, prompt: WorldRecord, raw: unknown, present: boolean): { value?: unknown; error?: string } {
  const type = String(prompt['type']);
  if (READ_ONLY_TYPES.has(type)) return { value: text(prompt['initial_value'], prompt['initial_value_expression']) };
  const required = prompt['required'] !== false && !NEVER_REQUIRED.has(type);
  if (!present || raw === null) return required ? { error: present ? FIELD_MESSAGES.null : FIELD_MESSAGES.required } : {};
  switch (type) {
    case 'checkbox':
      return typeof raw === 'boolean' ? { value: raw } : { error: FIELD_MESSAGES.boolean };
    case 'number':
      return /^-?\d+$/.test(String(raw).trim()) ? { value: Number.parseInt(String(raw), 10) } : { error: FIELD_MESSAGES.integer };
    case 'separator':
      return {};
  }
  const value = String(raw);
  if (value === '' && required) return { error: FIELD_MESSAGES.blank };
  if (type === 'email' && value !== '' && !EMAIL.test(value)) return { error: FIELD_MESSAGES.email };
  if (CHOICE_TYPES.has(type) && !(choicesOf(prompt) ?? []).includes(value)) return { error: FIELD_MESSAGES.choice(value) };
  if (type === 'username' && value !== '' && usernameTaken(run, value)) return { error: 'Username is already taken.' };
  return { value };
}

/** `username_field_validator_factory`: a username another user has (the pending user may keep theirs). */
function usernameTaken(run: StageRun, username: string): boolean {
  const users = run.world.userEntity;
  const holder = users ? run.world.table(users.name).find('username', username) : undefined;
  return holder !== undefined && String(holder[users!.pkField]) !== String(run.pendingUser()?.pk);
}

function show(run: StageRun, errors?: ResponseErrors): StageOutcome {
  return run.challenge(COMPONENT, { fields: prompts(run).map((p) => stagePrompt(run, p)) }, errors);
}

export const promptStage: StageHandler = {
  get: (run) => show(run),
  post(run, response) {
    const errors: ResponseErrors = {};
    const data: Record<string, unknown> = {};
    const passwords: string[] = [];
    for (const prompt of prompts(run)) {
      const key = String(prompt['field_key']);
      const read = readField(run, prompt, response[key], Object.hasOwn(response, key));
      if (read.error) errors[key] = [errorDetail(read.error, read.error === FIELD_MESSAGES.required ? 'required' : 'invalid')];
      else if (read.value !== undefined) data[key] = read.value;
      if (prompt['type'] === 'password' && typeof read.value === 'string') passwords.push(read.value);
    }
    if (Object.keys(errors).length > 0) return show(run, errors);
    if (passwords.length >= 2 && passwords.some((p) => p !== passwords[0]))
      return show(run, fieldError('non_field_errors', "Passwords don't match."));
    run.plan.context.prompt_data = { ...run.plan.context.prompt_data, ...data };
    return { ok: true };
  },
};
