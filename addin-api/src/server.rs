//! `sendsecure serve`: the app behind HTTPS, plus its background work.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum_server::{
    Handle,
    accept::NoDelayAcceptor,
    tls_rustls::{RustlsAcceptor, RustlsConfig},
};

use crate::{
    Error,
    app::{App, AppState},
    clock::Clock,
    config::ServeArgs,
    http,
    relay::RelayListener,
    retention, tls,
};

/// A server that is listening.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it actually listens (the port is chosen by the OS when `--listen` says 0).
    pub addr: SocketAddr,
    pub app: Arc<App>,
    /// The relay, when `--smtp-listen` asks for it.
    pub relay: Option<RelayListener>,
    handle: Handle,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
    refreshing: tokio::task::JoinHandle<()>,
    sweeping: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// Starts listening; returns once connections are accepted.
    pub async fn start(
        args: &ServeArgs,
        clock: Arc<dyn Clock>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        tls::install_crypto_provider();
        let tls = tls_config(args, clock.as_ref()).await?;
        let started = App::start(args, clock, env).await?;
        let refreshing = Arc::clone(&started.directory_sync)
            .spawn_refresh(started.app.policy.directory.refresh.duration());
        let sweeping = retention::spawn(Arc::clone(&started.app));

        let handle = Handle::new();
        let router = http::router(AppState(Arc::clone(&started.app)));
        // TCP_NODELAY: over HTTP/2 (what browsers speak) a response's HEADERS and DATA frames are
        // separate writes, and with Nagle's algorithm the second waits for the client's delayed
        // ACK: about 40 ms on every API call from the panel and the send handler.
        let server = axum_server::bind(args.listen)
            .acceptor(RustlsAcceptor::new(tls.clone()).acceptor(NoDelayAcceptor::new()))
            .handle(handle.clone());
        // The peer address is the client address the sign-in rate limit counts per.
        let serving =
            tokio::spawn(server.serve(router.into_make_service_with_connect_info::<SocketAddr>()));
        let addr = handle
            .listening()
            .await
            .ok_or_else(|| Error::InvalidConfig {
                key: "listen",
                problem: format!(
                    "cannot listen on {}: the address is in use or not ours",
                    args.listen
                ),
            })?;
        let relay = match args.smtp_listen {
            None => None,
            Some(smtp) => {
                let relay =
                    RelayListener::start(smtp, Arc::clone(&started.app), Some(tls.get_inner()))
                        .await?;
                let _ = started.app.relay_address.set(relay.addr);
                Some(relay)
            }
        };
        Ok(Self {
            addr,
            app: started.app,
            relay,
            handle,
            serving,
            refreshing,
            sweeping,
        })
    }

    /// Serves until the process is asked to stop (Ctrl-C, SIGTERM).
    pub async fn run_until_signal(self) -> Result<(), Error> {
        shutdown_signal().await;
        tracing::info!("stopping: finishing requests in flight");
        self.shutdown().await
    }

    /// Stops accepting connections and lets requests in flight finish (at most 10 s).
    pub async fn shutdown(self) -> Result<(), Error> {
        self.refreshing.abort();
        self.sweeping.abort();
        drop(self.relay);
        self.handle.graceful_shutdown(Some(Duration::from_secs(10)));
        match self.serving.await {
            Ok(result) => result.map_err(|e| Error::internal_from("the server stopped", e)),
            Err(e) => Err(Error::internal_from("the server task failed", e)),
        }
    }
}

async fn tls_config(args: &ServeArgs, clock: &dyn Clock) -> Result<RustlsConfig, Error> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return tls::rustls_config_from_files(cert, key).await;
    }
    std::fs::create_dir_all(&args.data_dir).map_err(|source| Error::DataDir {
        path: args.data_dir.clone(),
        source,
    })?;
    let dev = tls::dev_certificate(&args.data_dir, clock.now())?;
    tracing::info!(
        ca = %dev.ca_pem_path.display(),
        generated = dev.generated,
        "serving HTTPS with the development certificate; trust its CA in the browser to load the add-in"
    );
    tls::rustls_config(dev.cert_pem.as_bytes(), dev.key_pem.as_bytes())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
