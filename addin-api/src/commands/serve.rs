//! `sendsecure serve`: the API, the task pane, the manifest and the playground over HTTPS.

use std::sync::Arc;

use crate::{Error, clock::SystemClock, config::ServeArgs, server::RunningServer};

pub async fn run(args: &ServeArgs) -> Result<(), Error> {
    // Before the data directory gets its development certificate: nothing is left behind.
    args.keys.refuse_command_line_key()?;
    let server =
        RunningServer::start(args, Arc::new(SystemClock), |name| std::env::var(name).ok()).await?;
    let base = &server.app.base_url;
    println!("Send Secure is listening on https://{}", server.addr);
    println!("  public URL  {base}");
    println!("  manifest    {base}/manifest.xml  (sideload it in Outlook)");
    println!("  playground  {base}/playground");
    println!("  health      {base}/healthz");
    if let Some(relay) = &server.relay {
        println!(
            "  relay       smtp://{}  (the secure route, SPEC §13)",
            relay.addr
        );
    }
    server.run_until_signal().await
}
