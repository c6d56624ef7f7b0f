/**
 * Validates tools/call arguments against the tool's inputSchema (ajv) before they are forwarded.
 * Validators are compiled on first use and cached by the tool's definition hash, so a tool whose
 * schema changes gets a new validator. A schema that cannot be compiled fails closed: the tool
 * cannot be called until the upstream fixes it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonObject } from '../../core/json.js';

export type ArgCheck = { ok: true } | { ok: false; errors: string[] };

const CACHE_LIMIT = 4096;
const SHOWN_ERRORS = 5;

function options() {
  // strict off: upstream schemas use keywords and formats ajv does not know; they are ignored.
  return { strict: false, allErrors: false, logger: false as const, validateFormats: false };
}

export class ArgValidator {
  private readonly draft7 = new Ajv(options());
  private readonly draft2019 = new Ajv2019(options());
  private readonly draft2020 = new Ajv2020(options());
  private readonly cache = new Map<string, ValidateFunction | string>();

  /**
   * Checks `value` against `schema`, compiled once per `key` (the definition hash; a different key
   * per schema of one tool). `subject` names the value in messages.
   */
  check(key: string, schema: unknown, value: JsonObject, subject = 'arguments'): ArgCheck {
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = this.compile(schema);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, entry);
    }
    if (typeof entry === 'string')
      return { ok: false, errors: [`the tool's schema cannot be used: ${entry}`] };
    if (entry(value)) return { ok: true };
    const errors = (entry.errors ?? [])
      .slice(0, SHOWN_ERRORS)
      .map((e) => `${e.instancePath === '' ? `(${subject})` : e.instancePath} ${e.message ?? 'is invalid'}`);
    return { ok: false, errors: errors.length > 0 ? errors : [`${subject} do not match the schema`] };
  }

  private compile(schema: unknown): ValidateFunction | string {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
      return 'not a JSON Schema object';
    const declared = (schema as { $schema?: unknown }).$schema;
    const dialect = typeof declared === 'string' ? declared : '';
    // MCP (2025-11-25): a schema without $schema is JSON Schema 2020-12.
    const ajv =
      dialect === '' || dialect.includes('2020-12')
        ? this.draft2020
        : dialect.includes('2019-09')
          ? this.draft2019
          : this.draft7;
    // The engine is chosen above, so $schema is dropped (no meta-schema lookups), and so is $id:
    // an upstream schema must not register globally (two upstreams may share an $id).
    const { $id: _id, $schema: _dialect, ...rest } = schema as Record<string, unknown>;
    try {
      return ajv.compile(rest);
    } catch (e) {
      return e instanceof Error ? e.message.slice(0, 200) : 'invalid schema';
    }
  }
}
