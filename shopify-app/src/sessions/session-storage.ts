import { Session } from '@shopify/shopify-api';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { TokenCipher } from './token-cipher.ts';

/**
 * Shopify `SessionStorage` (the five methods of `@shopify/shopify-app-session-storage`) on the app database, with the
 * access and refresh tokens encrypted at rest (AES-256-GCM). The published adapters keep tokens in plain text.
 */
export class KyselySessionStorage {
  readonly #db: Kysely<DB>;
  readonly #cipher: TokenCipher;

  constructor(db: Kysely<DB>, cipher: TokenCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  async storeSession(session: Session): Promise<boolean> {
    const row = {
      id: session.id,
      shop_id: session.shop,
      state: session.state,
      is_online: session.isOnline,
      scope: session.scope ?? null,
      expires_at: session.expires ?? null,
      access_token_enc: session.accessToken ? this.#cipher.encrypt(session.accessToken) : null,
      refresh_token_enc: session.refreshToken ? this.#cipher.encrypt(session.refreshToken) : null,
      refresh_token_expires_at: session.refreshTokenExpires ?? null,
      online_access_info: session.onlineAccessInfo ? JSON.stringify(session.onlineAccessInfo) : null,
    };
    await this.#db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row }))
      .execute();
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.#db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.#toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.#db.deleteFrom('sessions').where('id', '=', id).execute();
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    if (ids.length > 0) await this.#db.deleteFrom('sessions').where('id', 'in', ids).execute();
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.#db.selectFrom('sessions').selectAll().where('shop_id', '=', shop).execute();
    return rows.map((row) => this.#toSession(row));
  }

  #toSession(row: {
    id: string;
    shop_id: string;
    state: string;
    is_online: boolean;
    scope: string | null;
    expires_at: Date | null;
    access_token_enc: string | null;
    refresh_token_enc: string | null;
    refresh_token_expires_at: Date | null;
    online_access_info: string | null;
  }): Session {
    const session = new Session({ id: row.id, shop: row.shop_id, state: row.state, isOnline: row.is_online });
    if (row.scope !== null) session.scope = row.scope;
    if (row.expires_at !== null) session.expires = row.expires_at;
    if (row.access_token_enc !== null) session.accessToken = this.#cipher.decrypt(row.access_token_enc);
    if (row.refresh_token_enc !== null) session.refreshToken = this.#cipher.decrypt(row.refresh_token_enc);
    if (row.refresh_token_expires_at !== null) session.refreshTokenExpires = row.refresh_token_expires_at;
    if (row.online_access_info !== null) session.onlineAccessInfo = JSON.parse(row.online_access_info);
    return session;
  }
}
