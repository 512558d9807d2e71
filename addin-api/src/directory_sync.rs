//! Keeping the directory current (SPEC §4).
//!
//! The directory is loaded from the bundled sample, a file or an `https://` URL at start and
//! every `directory.refresh`. A document only replaces the current one once it has parsed and
//! validated whole; it is then persisted, so a restart while the source is down still serves
//! the last good directory. If nothing has ever loaded, [`DirectoryState::current`] is `None`
//! and checks answer `directory-unavailable`.

use std::{path::PathBuf, sync::Arc, time::Duration};

use addin_core::{directory::Directory, policy::DirectoryVariant};
use arc_swap::ArcSwapOption;
use reqwest::{StatusCode, header};
use url::Url;

use crate::{
    Error, bundled,
    clock::Clock,
    store::{DirectorySnapshot, Store},
};

/// Where the domain book comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectorySource {
    Bundled,
    File(PathBuf),
    Url(Url),
}

impl DirectorySource {
    /// `directory.source` from the policy: an `https://` URL, a file path, or unset.
    pub fn parse(configured: Option<&str>) -> Result<Self, Error> {
        let Some(source) = configured.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Self::Bundled);
        };
        if !source.contains("://") {
            return Ok(Self::File(PathBuf::from(source)));
        }
        let invalid = |problem: &str| Error::InvalidConfig {
            key: "directory.source",
            problem: problem.into(),
        };
        let url =
            Url::parse(source).map_err(|_| invalid("is neither a file path nor a valid URL"))?;
        if url.scheme() != "https" {
            return Err(invalid(
                "must be an https:// URL: the domain book decides where patient mail goes",
            ));
        }
        Ok(Self::Url(url))
    }

    /// For logs: never the URL's path or query, which may carry an access token.
    fn describe(&self) -> String {
        match self {
            Self::Bundled => "the bundled sample".into(),
            Self::File(path) => format!("file {}", path.display()),
            Self::Url(url) => format!("https://{}/…", url.host_str().unwrap_or("?")),
        }
    }
}

#[derive(Debug)]
pub struct LoadedDirectory {
    pub directory: Directory,
    /// Unix seconds.
    pub loaded_at: i64,
}

/// The directory in force, swapped atomically: readers never wait for a sync.
#[derive(Debug, Default)]
pub struct DirectoryState(ArcSwapOption<LoadedDirectory>);

impl DirectoryState {
    pub fn current(&self) -> Option<Arc<LoadedDirectory>> {
        self.0.load_full()
    }

    fn replace(&self, loaded: LoadedDirectory) {
        self.0.store(Some(Arc::new(loaded)));
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    Loaded {
        entries: usize,
    },
    /// The server answered 304 Not Modified.
    Unchanged,
    /// The last good directory (if any) stays in force.
    Failed,
}

#[derive(Debug)]
pub struct DirectorySync {
    source: DirectorySource,
    variant: DirectoryVariant,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    state: Arc<DirectoryState>,
}

/// A document fetched from the source, not yet validated.
struct Fetched {
    json: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl DirectorySync {
    pub fn new(
        source: DirectorySource,
        variant: DirectoryVariant,
        store: Arc<dyn Store>,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            source,
            variant,
            store,
            http,
            clock,
            state: Arc::default(),
        }
    }

    pub fn state(&self) -> Arc<DirectoryState> {
        Arc::clone(&self.state)
    }

    /// Puts the persisted last good directory in force, before the first sync.
    pub async fn restore(&self) {
        let snapshot = match self.store.load_directory().await {
            Ok(Some(snapshot)) => snapshot,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "could not read the persisted directory");
                return;
            }
        };
        match parse(snapshot.json, self.variant).await {
            Ok(directory) => {
                tracing::info!(
                    entries = directory.entries(),
                    version = directory.version(),
                    "restored the last good directory"
                );
                self.state.replace(LoadedDirectory {
                    directory,
                    loaded_at: snapshot.loaded_at,
                });
            }
            // E.g. the organisation changed variant since: the old book does not apply.
            Err(error) => tracing::warn!(%error, "the persisted directory no longer applies"),
        }
    }

    /// Loads the source once; on any failure the directory in force stays.
    pub async fn sync_once(&self) -> SyncOutcome {
        let source = self.source.describe();
        let fetched = match self.fetch().await {
            Ok(Some(fetched)) => fetched,
            Ok(None) => {
                tracing::info!(%source, "directory unchanged");
                return SyncOutcome::Unchanged;
            }
            Err(problem) => {
                tracing::warn!(%source, %problem, kept = self.state.current().is_some(), "directory sync failed; keeping the last good directory");
                return SyncOutcome::Failed;
            }
        };
        let snapshot = DirectorySnapshot {
            json: fetched.json,
            etag: fetched.etag,
            last_modified: fetched.last_modified,
            loaded_at: self.clock.unix_now(),
        };
        let directory = match parse(snapshot.json.clone(), self.variant).await {
            Ok(directory) => directory,
            Err(error) => {
                tracing::warn!(%source, %error, kept = self.state.current().is_some(), "directory refused; keeping the last good directory");
                return SyncOutcome::Failed;
            }
        };
        if let Err(error) = self.store.save_directory(&snapshot).await {
            // Still serve it: only a restart without the source would miss it.
            tracing::warn!(%error, "could not persist the directory");
        }
        let entries = directory.entries();
        tracing::info!(%source, entries, version = directory.version(), "directory loaded");
        self.state.replace(LoadedDirectory {
            directory,
            loaded_at: snapshot.loaded_at,
        });
        SyncOutcome::Loaded { entries }
    }

    /// Syncs every `every`, forever (the first tick after one interval).
    pub fn spawn_refresh(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                self.sync_once().await;
            }
        })
    }

    /// `Ok(None)` when a URL source answers 304 Not Modified.
    async fn fetch(&self) -> Result<Option<Fetched>, String> {
        match &self.source {
            DirectorySource::Bundled => Ok(Some(Fetched {
                json: bundled::DIRECTORY.to_owned(),
                etag: None,
                last_modified: None,
            })),
            DirectorySource::File(path) => tokio::fs::read_to_string(path)
                .await
                .map(|json| {
                    Some(Fetched {
                        json,
                        etag: None,
                        last_modified: None,
                    })
                })
                .map_err(|error| format!("cannot read the file: {error}")),
            DirectorySource::Url(url) => self.fetch_url(url).await,
        }
    }

    async fn fetch_url(&self, url: &Url) -> Result<Option<Fetched>, String> {
        let mut request = self.http.get(url.clone());
        // Only ask "changed since?" when what we hold is what that question is about.
        if self.state.current().is_some()
            && let Ok(Some(previous)) = self.store.load_directory().await
        {
            if let Some(etag) = previous.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = previous.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, last_modified);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|error| format!("request failed: {}", error.without_url()))?;
        match response.status() {
            StatusCode::NOT_MODIFIED => return Ok(None),
            status if !status.is_success() => return Err(format!("the server answered {status}")),
            _ => {}
        }
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header_text(header::ETAG);
        let last_modified = header_text(header::LAST_MODIFIED);
        let json = response
            .text()
            .await
            .map_err(|error| format!("reading the body failed: {}", error.without_url()))?;
        Ok(Some(Fetched {
            json,
            etag,
            last_modified,
        }))
    }
}

/// Parsing 200,000 entries takes tens of milliseconds: off the async workers.
async fn parse(json: String, variant: DirectoryVariant) -> Result<Directory, addin_core::Error> {
    tokio::task::spawn_blocking(move || Directory::from_json(&json, variant))
        .await
        .unwrap_or_else(|_| {
            Err(addin_core::Error::DirectoryJson(
                "the parser stopped unexpectedly".into(),
            ))
        })
}
