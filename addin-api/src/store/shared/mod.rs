//! Queries both backends run as they are: SQLite accepts PostgreSQL's `$N` placeholders
//! (sqlx binds them by number), and the statements use only SQL both understand
//! (`ON CONFLICT`, `RETURNING`). [`shared_stores!`] implements [`super::Store`],
//! [`super::AuditStore`], [`super::SessionStore`], [`super::SignInStore`], [`super::RouteStore`],
//! [`super::ViewerStore`] and [`super::KeyStore`] with them for `SqliteStore` and
//! `PostgresStore` alike; what truly differs ([`super::PairingLookup`]'s batches, pool options,
//! pragmas) stays in their own files.

mod audit;
mod codes;
mod directory;
mod keys;
mod pairings;
mod route;
mod session;
mod settings;
mod sign_in;
mod viewer;

use sqlx::{Database, Executor, IntoArguments, Pool};

use super::{Digest, StoreError, StoreResult};

/// The shared queries on one backend's pool. Each file's `impl` names the sqlx bounds its
/// queries need.
pub(super) struct Queries<'p, DB: Database>(pub &'p Pool<DB>);

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
{
    /// Readiness: the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.0).await?;
        Ok(())
    }
}

fn digest(bytes: Vec<u8>, column: &'static str) -> StoreResult<Digest> {
    Digest::try_from(bytes).map_err(|_| StoreError::Corrupt(column))
}

/// The shared stores' `impl`s for `$store`, with the shared queries on its `pool`.
macro_rules! shared_stores {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl super::Store for $store {
            async fn ping(&self) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool).ping().await
            }

            async fn put_pairing(
                &self,
                owner: &super::Digest,
                recipient: &super::Digest,
                sealed_phone: &[u8],
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .put_pairing(owner, recipient, sealed_phone, at)
                    .await
            }

            async fn get_pairing(
                &self,
                owner: &super::Digest,
                recipient: &super::Digest,
            ) -> super::StoreResult<Option<Vec<u8>>> {
                super::shared::Queries(&self.pool)
                    .get_pairing(owner, recipient)
                    .await
            }

            async fn delete_pairing(
                &self,
                owner: &super::Digest,
                recipient: &super::Digest,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .delete_pairing(owner, recipient)
                    .await
            }

            async fn get_settings(
                &self,
                owner: &super::Digest,
            ) -> super::StoreResult<Option<super::SettingsRecord>> {
                super::shared::Queries(&self.pool).get_settings(owner).await
            }

            async fn put_settings(
                &self,
                owner: &super::Digest,
                settings: &super::SettingsRecord,
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .put_settings(owner, settings, at)
                    .await
            }

            async fn load_directory(&self) -> super::StoreResult<Option<super::DirectorySnapshot>> {
                super::shared::Queries(&self.pool).load_directory().await
            }

            async fn save_directory(
                &self,
                snapshot: &super::DirectorySnapshot,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .save_directory(snapshot)
                    .await
            }
        }

        #[async_trait::async_trait]
        impl super::AuditStore for $store {
            async fn append_audit(
                &self,
                record: &super::AuditRecord,
                linker: &dyn super::AuditLinker,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .append_audit(record, linker)
                    .await
            }

            async fn audit_page(
                &self,
                after_id: i64,
                since: i64,
                limit: i64,
            ) -> super::StoreResult<Vec<(i64, super::ChainedAuditRecord)>> {
                super::shared::Queries(&self.pool)
                    .audit_page(after_id, since, limit)
                    .await
            }

            async fn audit_chain_ends(&self) -> super::StoreResult<super::AuditChainEnds> {
                super::shared::Queries(&self.pool).audit_chain_ends().await
            }

            async fn prune_audit(&self, before: i64) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool).prune_audit(before).await
            }
        }

        #[async_trait::async_trait]
        impl super::RouteStore for $store {
            async fn insert_dispatch(
                &self,
                dispatch: &super::DispatchRecord,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .insert_dispatch(dispatch)
                    .await
            }

            async fn find_dispatch(
                &self,
                token_id: &str,
            ) -> super::StoreResult<Option<super::StoredDispatch>> {
                super::shared::Queries(&self.pool)
                    .find_dispatch(token_id)
                    .await
            }

            async fn claim_dispatch(
                &self,
                token_id: &str,
                message_hash: &super::Digest,
                now: i64,
                stale_before: i64,
            ) -> super::StoreResult<super::DispatchClaim> {
                super::shared::Queries(&self.pool)
                    .claim_dispatch(token_id, message_hash, now, stale_before)
                    .await
            }

            async fn handovers(&self, token_id: &str) -> super::StoreResult<Vec<String>> {
                super::shared::Queries(&self.pool).handovers(token_id).await
            }

            async fn record_handovers(
                &self,
                token_id: &str,
                parts: &[String],
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .record_handovers(token_id, parts, at)
                    .await
            }

            async fn finish_dispatch(
                &self,
                token_id: &str,
                state: super::DispatchState,
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .finish_dispatch(token_id, state, at)
                    .await
            }

            async fn insert_viewer_message(
                &self,
                message: &super::ViewerMessageRecord,
                recipients: &[super::ViewerRecipientRecord],
            ) -> super::StoreResult<super::ViewerMessageRecord> {
                super::shared::Queries(&self.pool)
                    .insert_viewer_message(message, recipients)
                    .await
            }
        }

        #[async_trait::async_trait]
        impl super::ViewerStore for $store {
            async fn find_recipient(
                &self,
                link_hash: &super::Digest,
            ) -> super::StoreResult<Option<super::RecipientView>> {
                super::shared::Queries(&self.pool)
                    .find_recipient(link_hash)
                    .await
            }

            async fn message_content(
                &self,
                message_id: &str,
            ) -> super::StoreResult<Option<(Vec<u8>, Vec<u8>)>> {
                super::shared::Queries(&self.pool)
                    .message_content(message_id)
                    .await
            }

            async fn message_summary(
                &self,
                message_id: &str,
            ) -> super::StoreResult<Option<(Vec<u8>, Option<Vec<u8>>)>> {
                super::shared::Queries(&self.pool)
                    .message_summary(message_id)
                    .await
            }

            async fn find_message_by_withdraw_hash(
                &self,
                withdraw_hash: &super::Digest,
            ) -> super::StoreResult<Option<super::ViewerMessageState>> {
                super::shared::Queries(&self.pool)
                    .find_message_by_withdraw_hash(withdraw_hash)
                    .await
            }

            async fn find_message_by_reference(
                &self,
                reference: &str,
            ) -> super::StoreResult<Option<super::ViewerMessageState>> {
                super::shared::Queries(&self.pool)
                    .find_message_by_reference(reference)
                    .await
            }

            async fn withdraw_message(
                &self,
                message_id: &str,
                at: i64,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .withdraw_message(message_id, at)
                    .await
            }

            async fn issue_viewer_code(
                &self,
                code: &super::ViewerCodeRecord,
                limits: &[super::CodeLimit],
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .issue_viewer_code(code, limits)
                    .await
            }

            async fn claim_viewer_code_attempt(
                &self,
                link_hash: &super::Digest,
                device_hash: &super::Digest,
                now: i64,
                max_attempts: i64,
            ) -> super::StoreResult<Option<super::ViewerCodeRecord>> {
                super::shared::Queries(&self.pool)
                    .claim_viewer_code_attempt(link_hash, device_hash, now, max_attempts)
                    .await
            }

            async fn consume_viewer_code(
                &self,
                link_hash: &super::Digest,
                device_hash: &super::Digest,
                code_hash: &super::Digest,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .consume_viewer_code(link_hash, device_hash, code_hash)
                    .await
            }

            async fn insert_viewer_session(
                &self,
                session: &super::ViewerSessionRecord,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .insert_viewer_session(session)
                    .await
            }

            async fn find_viewer_session(
                &self,
                token_hash: &super::Digest,
            ) -> super::StoreResult<Option<super::ViewerSessionRecord>> {
                super::shared::Queries(&self.pool)
                    .find_viewer_session(token_hash)
                    .await
            }

            async fn touch_viewer_session(
                &self,
                token_hash: &super::Digest,
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .touch_viewer_session(token_hash, at)
                    .await
            }

            async fn count_reply(
                &self,
                link_hash: &super::Digest,
                max: i64,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .count_reply(link_hash, max)
                    .await
            }

            async fn count_forward(&self, message_id: &str, max: i64) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .count_forward(message_id, max)
                    .await
            }

            async fn count_forward_failure(
                &self,
                link_hash: &super::Digest,
            ) -> super::StoreResult<i64> {
                super::shared::Queries(&self.pool)
                    .count_forward_failure(link_hash)
                    .await
            }

            async fn note_wrong_number_report(
                &self,
                link_hash: &super::Digest,
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .note_wrong_number_report(link_hash, at)
                    .await
            }

            async fn sweep_viewer(
                &self,
                now: i64,
                idle_before: i64,
                batch: i64,
            ) -> super::StoreResult<Vec<super::ViewerMessageState>> {
                super::shared::Queries(&self.pool)
                    .sweep_viewer(now, idle_before, batch)
                    .await
            }
        }

        #[async_trait::async_trait]
        impl super::SessionStore for $store {
            async fn insert_session(
                &self,
                session: &super::SessionRecord,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .insert_session(session)
                    .await
            }

            async fn find_session(
                &self,
                token_hash: &super::Digest,
            ) -> super::StoreResult<Option<super::SessionRecord>> {
                super::shared::Queries(&self.pool)
                    .find_session(token_hash)
                    .await
            }

            async fn touch_session(
                &self,
                token_hash: &super::Digest,
                last_used_at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .touch_session(token_hash, last_used_at)
                    .await
            }

            async fn delete_session(&self, token_hash: &super::Digest) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .delete_session(token_hash)
                    .await
            }

            async fn delete_sessions_of(
                &self,
                mailbox_hash: &super::Digest,
            ) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool)
                    .delete_sessions_of(mailbox_hash)
                    .await
            }

            async fn list_sessions_of(
                &self,
                mailbox_hash: &super::Digest,
            ) -> super::StoreResult<Vec<super::SessionRecord>> {
                super::shared::Queries(&self.pool)
                    .list_sessions_of(mailbox_hash)
                    .await
            }

            async fn delete_sessions_not_of(&self, method: &str) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool)
                    .delete_sessions_not_of(method)
                    .await
            }
        }

        #[async_trait::async_trait]
        impl super::SignInStore for $store {
            async fn put_sign_in_code(
                &self,
                code: &super::SignInCodeRecord,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .put_sign_in_code(code)
                    .await
            }

            async fn claim_sign_in_attempt(
                &self,
                mailbox_hash: &super::Digest,
                device_hash: &super::Digest,
                now: i64,
                max_attempts: i64,
            ) -> super::StoreResult<Option<super::SignInCodeRecord>> {
                super::shared::Queries(&self.pool)
                    .claim_sign_in_attempt(mailbox_hash, device_hash, now, max_attempts)
                    .await
            }

            async fn consume_sign_in_code(
                &self,
                mailbox_hash: &super::Digest,
                device_hash: &super::Digest,
                code_hash: &super::Digest,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .consume_sign_in_code(mailbox_hash, device_hash, code_hash)
                    .await
            }

            async fn delete_sign_in_codes_of(
                &self,
                mailbox_hash: &super::Digest,
            ) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool)
                    .delete_sign_in_codes_of(mailbox_hash)
                    .await
            }

            async fn note_known_device(
                &self,
                mailbox_hash: &super::Digest,
                device_hash: &super::Digest,
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .note_known_device(mailbox_hash, device_hash, at)
                    .await
            }

            async fn is_known_device(
                &self,
                mailbox_hash: &super::Digest,
                device_hash: &super::Digest,
                since: i64,
            ) -> super::StoreResult<bool> {
                super::shared::Queries(&self.pool)
                    .is_known_device(mailbox_hash, device_hash, since)
                    .await
            }

            async fn forget_devices_of(
                &self,
                mailbox_hash: &super::Digest,
            ) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool)
                    .forget_devices_of(mailbox_hash)
                    .await
            }

            async fn take_rate(
                &self,
                limits: &[super::RateLimit],
                at: i64,
            ) -> super::StoreResult<Option<i64>> {
                super::shared::Queries(&self.pool)
                    .take_rate(limits, at)
                    .await
            }

            async fn rate_exceeded(
                &self,
                limits: &[super::RateLimit],
                at: i64,
            ) -> super::StoreResult<Option<i64>> {
                super::shared::Queries(&self.pool)
                    .rate_exceeded(limits, at)
                    .await
            }

            async fn record_rate(
                &self,
                buckets: &[super::Digest],
                at: i64,
            ) -> super::StoreResult<()> {
                super::shared::Queries(&self.pool)
                    .record_rate(buckets, at)
                    .await
            }
        }

        #[async_trait::async_trait]
        impl super::KeyStore for $store {
            async fn index_key(&self) -> super::StoreResult<Option<(String, Vec<u8>)>> {
                super::shared::Queries(&self.pool).index_key().await
            }

            async fn init_index_key(
                &self,
                key_id: &str,
                sealed: &[u8],
            ) -> super::StoreResult<(String, Vec<u8>)> {
                super::shared::Queries(&self.pool)
                    .init_index_key(key_id, sealed)
                    .await
            }

            async fn sealed_values(
                &self,
                column: super::SealedColumn,
                after: Option<&super::SealedRow>,
                limit: i64,
            ) -> super::StoreResult<Vec<super::SealedValue>> {
                super::shared::Queries(&self.pool)
                    .sealed_values(column, after, limit)
                    .await
            }

            async fn reseal(
                &self,
                values: &[(super::SealedValue, Vec<u8>)],
            ) -> super::StoreResult<u64> {
                super::shared::Queries(&self.pool).reseal(values).await
            }
        }
    };
}

pub(super) use shared_stores;
