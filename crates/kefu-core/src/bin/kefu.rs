//! `kefu`: the engine from the command line, for scripts, support staff and tests.
//!
//! Configuration from `KEFU_DATA_DIR`, `KEFU_API_BASE`, `KEFU_CORP_ID`, `KEFU_SECRET` and
//! `KEFU_OPEN_KFIDS`. With `--json`, stdout is JSON with the API's field names; errors go to
//! stderr with a non-zero exit.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use kefu_core::clock::{Clock, SystemClock};
use kefu_core::config::{ApiMode, Settings};
use kefu_core::engine::Engine;
use kefu_core::store::{QueueAction, Store};
use kefu_wechat::{Client, ClientConfig};
use serde_json::json;
use std::sync::Arc;

/// Kefu Desk's engine on the command line.
#[derive(Parser, Debug)]
#[command(name = "kefu", version, about)]
struct Cli {
    /// Print JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Pull every account (until `has_more` is 0); without --once, keep syncing.
    Sync {
        /// One round, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Accounts, cursors, last success or error, counts, pending outbox.
    Status,
    /// Sessions with local state, window end and replies left.
    Sessions,
    /// A customer's messages, oldest first.
    Messages {
        /// Customer (`external_userid`).
        #[arg(long)]
        customer: String,
        /// How many of the newest.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Enqueue a text reply, flush the outbox, report the outcome.
    Reply {
        /// Customer (`external_userid`).
        #[arg(long)]
        customer: String,
        /// Account; default: the customer's conversation.
        #[arg(long)]
        account: Option<String>,
        /// Text to send.
        #[arg(required_unless_present_any = ["image", "file"])]
        text: Option<String>,
        /// Send this image (JPG/PNG) instead of text.
        #[arg(long, conflicts_with_all = ["text", "file"])]
        image: Option<std::path::PathBuf>,
        /// Send this file instead of text.
        #[arg(long, conflicts_with_all = ["text", "image"])]
        file: Option<std::path::PathBuf>,
    },
    /// Take a waiting customer.
    Claim(QueueArgs),
    /// Put a customer of mine back in the waiting queue.
    Release(QueueArgs),
    /// Hand a customer of mine to another agent.
    Transfer {
        #[command(flatten)]
        who: QueueArgs,
        /// The agent who takes it.
        #[arg(long)]
        to: String,
    },
    /// End a session (here, and on WeChat when the API owns it there).
    End(QueueArgs),
    /// Team mode administration (as the database owner: `--admin-url` or KEFU_TEAM_ADMIN_URL).
    Team {
        /// The owner's URL (`postgres://owner:password@host/db`).
        #[arg(long, env = "KEFU_TEAM_ADMIN_URL", hide_env_values = true)]
        admin_url: String,
        #[command(subcommand)]
        action: TeamAction,
    },
    /// A throw-away team database to try team mode on this machine: a PostgreSQL cluster in a
    /// temporary directory (Debian's postgresql package) with these agents. Prints each agent's
    /// KEFU_TEAM_DATABASE_URL, serves until Ctrl-C, SIGTERM or end of input, then removes everything.
    TeamTrial {
        /// The agents, comma-separated (a-z, 0-9 and _).
        #[arg(long, value_delimiter = ',', default_value = "wang,li")]
        agents: Vec<String>,
        /// Turn on round-robin assignment of waiting customers.
        #[arg(long)]
        auto_assign: bool,
    },
    /// Response times, sessions and volume over a date range, per agent and per account (in team
    /// mode from the team database). Definitions: ARCHITECTURE.md, "Reports".
    Report {
        /// First day: YYYY-MM-DD (in --tz) or Unix seconds.
        #[arg(long)]
        since: String,
        /// Last day, included: YYYY-MM-DD (in --tz), or Unix seconds (excluded).
        #[arg(long)]
        until: String,
        /// Only sessions this agent (or WeCom servicer) replied in, and only their replies.
        #[arg(long)]
        agent: Option<String>,
        /// UTC offset of the dates and of the hourly and daily figures.
        #[arg(long, default_value = "+08:00", value_parser = parse_offset, allow_hyphen_values = true)]
        tz: i32,
        /// Print CSV: the desk, then each agent and each account.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// In team mode, report from this desktop's mirror instead of the team database.
        #[arg(long)]
        local: bool,
    },
    /// Messages containing QUERY, newest first.
    Search {
        /// Text to find: every space-separated term must occur, "quoted parts" as written.
        /// Plain text, never query syntax.
        query: String,
        /// Most results.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only this customer (`external_userid`).
        #[arg(long)]
        customer: Option<String>,
        /// Only this account (`open_kfid`).
        #[arg(long)]
        account: Option<String>,
        /// Sent on or after: Unix seconds or YYYY-MM-DD (UTC).
        #[arg(long, value_parser = parse_time_start)]
        since: Option<i64>,
        /// Sent on or before: Unix seconds or YYYY-MM-DD (UTC, the whole day).
        #[arg(long, value_parser = parse_time_end)]
        until: Option<i64>,
        /// Only messages from `customer` or `agent`.
        #[arg(long, value_parser = ["customer", "agent"])]
        sender: Option<String>,
        /// Next page: the `next_before` printed by the previous page.
        #[arg(long)]
        before: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum TeamAction {
    /// Create or upgrade the team schema.
    Migrate,
    /// Add an agent (a database role), or change their password and capacity.
    AddAgent {
        /// The agent's name: a-z, 0-9 and _.
        name: String,
        /// Their password (KEFU_TEAM_AGENT_PASSWORD).
        #[arg(long, env = "KEFU_TEAM_AGENT_PASSWORD", hide_env_values = true)]
        password: String,
        /// How many customers they may have at once (auto-assignment respects it).
        #[arg(long, default_value_t = 10)]
        capacity: i32,
    },
    /// Turn round-robin assignment of waiting customers on or off.
    AutoAssign {
        /// on | off
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

/// Which session, and who acts.
#[derive(clap::Args, Debug)]
struct QueueArgs {
    /// Customer (`external_userid`).
    #[arg(long)]
    customer: String,
    /// Account; default: the customer's conversation.
    #[arg(long)]
    account: Option<String>,
    /// The agent acting (default: $KEFU_AGENT, else "me").
    #[arg(long, env = "KEFU_AGENT", default_value = "me")]
    agent: String,
}

fn account_for(store: &Store, who: &QueueArgs) -> anyhow::Result<String> {
    match &who.account {
        Some(a) => Ok(a.clone()),
        None => store
            .account_of(&who.customer)?
            .context("no conversation with this customer; give --account"),
    }
}

fn queue(
    json_mode: bool,
    outcome: Result<String, kefu_core::store::QueueRefused>,
) -> anyhow::Result<()> {
    match outcome {
        Ok(state) => {
            print(json_mode, json!({"local_state": state}), || state.clone());
            Ok(())
        }
        Err(refused) => bail!("refused: {refused}"),
    }
}

fn main() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("kefu: {e:#}");
        std::process::exit(1);
    }
}

fn open_store(settings: &Settings) -> anyhow::Result<Arc<Store>> {
    let dir = settings.store_dir();
    Ok(Arc::new(Store::open_in(&dir).with_context(|| {
        format!("opening the database in {}", dir.display())
    })?))
}

/// The team database, in team mode (KEFU_TEAM_DATABASE_URL; password in the URL or
/// KEFU_TEAM_PASSWORD).
fn team(settings: &Settings, engine: &Engine) -> anyhow::Result<Option<kefu_core::team::Team>> {
    let Some(url) = &settings.team_url else {
        return Ok(None);
    };
    let password = std::env::var("KEFU_TEAM_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(kefu_wechat::Secret::new);
    Ok(Some(kefu_core::team::Team::new(
        url,
        password.as_ref(),
        engine.clock.clone(),
        engine.events.clone(),
    )?))
}

/// A queue action through the team, printed like a local one; `end` also ends the session on
/// WeChat when the API owns it there.
async fn team_queue(
    json_mode: bool,
    settings: &Settings,
    store: &Arc<Store>,
    who: &QueueArgs,
    action: &str,
    to: Option<&str>,
) -> anyhow::Result<()> {
    let engine = engine(settings, store.clone())?;
    let team = team(settings, &engine)?.context("team mode needs KEFU_TEAM_DATABASE_URL")?;
    let account = account_for(store, who)?;
    match team
        .queue_action(store, &account, &who.customer, action, to)
        .await?
    {
        kefu_core::team::QueueVerdict::Done(state) => {
            if action == "end" {
                engine.end_on_wechat(&account, &who.customer).await;
            }
            print(json_mode, json!({"local_state": state}), || state.clone());
            Ok(())
        }
        kefu_core::team::QueueVerdict::Refused { reason, owner } => match owner {
            Some(o) => bail!("refused: {reason} ({o} has this customer)"),
            None => bail!("refused: {reason}"),
        },
    }
}

fn engine(settings: &Settings, store: Arc<Store>) -> anyhow::Result<Engine> {
    let ApiMode::Live(api) = &settings.api else {
        bail!(
            "no credentials: set KEFU_CORP_ID and KEFU_SECRET (and KEFU_API_BASE for an emulator)"
        );
    };
    let client = Client::new(ClientConfig::new(
        &api.base_url,
        &api.corp_id,
        api.secret.clone(),
    ))?;
    let engine = Engine::new(Arc::new(client), store, Arc::new(SystemClock));
    engine.set_welcome(settings.welcome_text.clone());
    engine.set_closing(settings.closing.clone());
    engine.set_hours(settings.hours.clone());
    Ok(engine)
}

/// `kefu team-trial`: start, print the URLs, serve until Ctrl-C or stdin closes.
async fn team_trial(json_mode: bool, agents: &[String], auto_assign: bool) -> anyhow::Result<()> {
    let cluster = tokio::task::spawn_blocking(kefu_core::team::cluster::Cluster::start)
        .await?
        .map_err(|e| anyhow::anyhow!(e))?;
    let passwords: Vec<(String, String)> = agents
        .iter()
        .map(|a| (a.clone(), kefu_core::engine::new_msgid()))
        .collect();
    let pairs: Vec<(&str, &str)> = passwords
        .iter()
        .map(|(a, p)| (a.as_str(), p.as_str()))
        .collect();
    let admin = cluster.team_database("kefu", &pairs).await?;
    if auto_assign {
        kefu_core::team::set_auto_assign(&admin, true).await?;
    }
    let urls: serde_json::Map<String, serde_json::Value> = passwords
        .iter()
        .map(|(a, p)| (a.clone(), json!(cluster.url(a, p, "kefu"))))
        .collect();
    print(
        json_mode,
        json!({"admin_url": admin, "agents": urls}),
        || {
            let mut out = format!(
                "team database on 127.0.0.1:{} (removed when this stops)\n  KEFU_TEAM_ADMIN_URL={admin}",
                cluster.port
            );
            for (agent, url) in &urls {
                out.push_str(&format!(
                    "\n  {agent}: KEFU_TEAM_DATABASE_URL={}",
                    url.as_str().unwrap_or_default()
                ));
            }
            out
        },
    );
    use std::io::Write as _;
    std::io::stdout().flush().ok();
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    });
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = stdin_closed => {}
    }
    tokio::task::spawn_blocking(move || drop(cluster)).await?;
    Ok(())
}

async fn team_admin(json_mode: bool, admin_url: &str, action: &TeamAction) -> anyhow::Result<()> {
    match action {
        TeamAction::Migrate => {
            let version = kefu_core::team::migrate(admin_url).await?;
            print(json_mode, json!({"schema_version": version}), || {
                format!("team schema at version {version}")
            });
        }
        TeamAction::AddAgent {
            name,
            password,
            capacity,
        } => {
            kefu_core::team::add_agent(
                admin_url,
                name,
                &kefu_wechat::Secret::new(password.as_str()),
                *capacity,
            )
            .await?;
            print(json_mode, json!({"agent": name}), || {
                format!("agent {name} ready")
            });
        }
        TeamAction::AutoAssign { state } => {
            kefu_core::team::set_auto_assign(admin_url, state == "on").await?;
            print(json_mode, json!({"auto_assign": state}), || {
                format!("auto-assignment {state}")
            });
        }
    }
    Ok(())
}

fn print(json_mode: bool, value: serde_json::Value, human: impl FnOnce() -> String) {
    if json_mode {
        println!("{value}");
    } else {
        println!("{}", human());
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env();
    if let Command::Team { admin_url, action } = &cli.command {
        return team_admin(cli.json, admin_url, action).await;
    }
    if let Command::TeamTrial {
        agents,
        auto_assign,
    } = &cli.command
    {
        return team_trial(cli.json, agents, *auto_assign).await;
    }
    let store = open_store(&settings)?;
    let now = SystemClock.now();
    let in_team = settings.team_url.is_some();
    match cli.command {
        Command::Team { .. } | Command::TeamTrial { .. } => unreachable!("handled above"),
        Command::Sync { once: false } => {
            let engine = engine(&settings, store)?;
            let (handle, task) = match team(&settings, &engine)? {
                Some(team) => kefu_core::team::worker::spawn(
                    engine,
                    team,
                    settings.open_kfids.clone(),
                    settings.store_dir(),
                ),
                None => kefu_core::worker::spawn(
                    engine,
                    settings.open_kfids.clone(),
                    settings.data_dir.clone(),
                ),
            };
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            handle.send(kefu_core::worker::Command::Stop).await;
            let _ = task.await;
        }
        Command::Sync { once: true } if in_team => {
            bail!("in team mode the desk syncs continuously: run `kefu sync` without --once")
        }
        Command::Sync { once: true } => {
            let engine = engine(&settings, store)?;
            let accounts = engine.accounts(&settings.open_kfids).await?;
            let mut total = json!({});
            for kfid in &accounts {
                let r = engine
                    .sync_account(kfid)
                    .await
                    .with_context(|| format!("syncing {kfid}"))?;
                total[kfid.as_str()] = json!({"pages": r.pages, "stored": r.stored, "duplicates": r.duplicates, "retries": r.retries, "history": r.history});
            }
            if let Err(e) = kefu_core::media::download_pending(&engine, &settings.data_dir).await {
                tracing::warn!(error = %e, "media not downloaded");
            }
            if let Err(e) = engine.refresh_profiles().await {
                tracing::warn!(error = %e, "customer profiles not refreshed");
            }
            let flushed = engine.flush_outbox().await?;
            print(
                cli.json,
                json!({"accounts": total, "outbox": {"sent": flushed.sent, "failed": flushed.failed, "pending": flushed.pending}}),
                || format!("synced: {total}"),
            );
        }
        Command::Status => {
            let accounts = store.status(now)?;
            let (queued, sent, failed) = store.outbox_counts()?;
            print(
                cli.json,
                json!({"accounts": accounts, "outbox": {"queued": queued, "sent": sent, "failed": failed}}),
                || {
                    let mut s = String::new();
                    for a in &accounts {
                        s += &format!(
                            "{}  messages {}  last success {:?}  last error {:?}\n",
                            a.open_kfid, a.messages, a.last_success_at, a.last_error
                        );
                    }
                    s + &format!("outbox: {queued} queued, {sent} sent, {failed} failed")
                },
            );
        }
        Command::Sessions => {
            let sessions = store.sessions(now)?;
            print(cli.json, json!(sessions), || {
                sessions
                    .iter()
                    .map(|s| {
                        format!(
                            "{:8} {} {}  window {}s  replies left {}",
                            s.local_state,
                            s.open_kfid,
                            s.external_userid,
                            s.window_left_secs,
                            s.replies_left
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Messages { customer, limit } => {
            let messages = store.messages(&customer, limit)?;
            print(cli.json, json!(messages), || {
                messages
                    .iter()
                    .map(|m| {
                        format!(
                            "{} [{}] {}",
                            m.send_time,
                            m.msgtype,
                            m.text.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Reply {
            customer,
            account,
            text,
            image,
            file,
        } => {
            let engine = engine(&settings, store.clone())?;
            let account = match account {
                Some(a) => a,
                None => store
                    .account_of(&customer)?
                    .context("no conversation with this customer; give --account")?,
            };
            let outcome = match (text, image, file) {
                (_, Some(path), _) => engine.enqueue_file(
                    &account,
                    &customer,
                    &path,
                    kefu_wechat::api::MediaType::Image,
                )?,
                (_, _, Some(path)) => engine.enqueue_file(
                    &account,
                    &customer,
                    &path,
                    kefu_wechat::api::MediaType::File,
                )?,
                (Some(text), _, _) => engine.enqueue_text(&account, &customer, &text)?,
                (None, None, None) => bail!("give TEXT, --image or --file"),
            };
            let row = match outcome {
                Ok(row) => row,
                Err(refused) => bail!("reply refused: {refused}"),
            };
            if let Some(t) = team(&settings, &engine)? {
                // The account's poller sends it; the shared outbox decides whether it may.
                match t.push_reply(&store, &row).await? {
                    kefu_core::team::ReplyVerdict::Accepted(state) => {
                        print(
                            cli.json,
                            json!({"msgid": row.msgid, "state": state}),
                            || format!("{} {state} (the team's poller sends it)", row.msgid),
                        );
                        return Ok(());
                    }
                    kefu_core::team::ReplyVerdict::Refused { reason, owner } => match owner {
                        Some(o) => bail!("reply refused: {reason} ({o} has this customer)"),
                        None => bail!("reply refused: {reason}"),
                    },
                }
            }
            engine.flush_outbox().await?;
            let row = store.reply(&row.msgid)?.context("the reply is stored")?;
            print(cli.json, json!(row), || {
                format!("{} {}", row.msgid, row.state)
            });
            match row.state.as_str() {
                "sent" => {}
                "failed" => bail!("reply failed: {}", row.last_error.unwrap_or_default()),
                _ => bail!(
                    "reply queued, not sent yet: {}",
                    row.last_error.unwrap_or_default()
                ),
            }
        }
        Command::Claim(who) if in_team => {
            team_queue(cli.json, &settings, &store, &who, "claim", None).await?
        }
        Command::Release(who) if in_team => {
            team_queue(cli.json, &settings, &store, &who, "release", None).await?
        }
        Command::Transfer { who, to } if in_team => {
            team_queue(cli.json, &settings, &store, &who, "transfer", Some(&to)).await?
        }
        Command::End(who) if in_team => {
            team_queue(cli.json, &settings, &store, &who, "end", None).await?
        }
        Command::Claim(who) => queue(
            cli.json,
            store.queue_action(
                &account_for(&store, &who)?,
                &who.customer,
                &who.agent,
                QueueAction::Claim,
                now,
            )?,
        )?,
        Command::Release(who) => queue(
            cli.json,
            store.queue_action(
                &account_for(&store, &who)?,
                &who.customer,
                &who.agent,
                QueueAction::Release,
                now,
            )?,
        )?,
        Command::Transfer { who, to } => queue(
            cli.json,
            store.queue_action(
                &account_for(&store, &who)?,
                &who.customer,
                &who.agent,
                QueueAction::Transfer { to: &to },
                now,
            )?,
        )?,
        Command::End(who) => {
            let account = account_for(&store, &who)?;
            let engine = engine(&settings, store)?;
            queue(
                cli.json,
                engine
                    .end_session(&account, &who.customer, &who.agent)
                    .await?,
            )?
        }
        Command::Report {
            since,
            until,
            agent,
            tz,
            csv,
            local,
        } => {
            let query = kefu_core::report::ReportQuery {
                since: report_bound(&since, tz, 0).map_err(anyhow::Error::msg)?,
                until: report_bound(&until, tz, 1).map_err(anyhow::Error::msg)?,
                agent,
                offset_secs: tz,
            };
            query.check().map_err(anyhow::Error::msg)?;
            let self_agent = std::env::var("KEFU_AGENT").unwrap_or_else(|_| "me".into());
            let input = if in_team && !local {
                let engine = engine(&settings, store.clone())?;
                let team = team(&settings, &engine)?.context("team mode")?;
                team.report_input(&query).await?
            } else {
                store.report_input(&query, &self_agent)?
            };
            let report = kefu_core::report::compute(input, &query, now);
            if csv {
                print!("{}", kefu_core::report::to_csv(&report));
            } else {
                print(cli.json, json!(report), || report_text(&report));
            }
        }
        Command::Search {
            query,
            limit,
            customer,
            account,
            since,
            until,
            sender,
            before,
        } => {
            let filter = kefu_core::store::SearchFilter {
                open_kfid: account,
                customer,
                since,
                until,
                sender: sender.map(|s| match s.as_str() {
                    "customer" => kefu_core::store::Sender::Customer,
                    _ => kefu_core::store::Sender::Agent,
                }),
            };
            let page = store.search(&query, &filter, before, limit)?;
            let bold = std::io::IsTerminal::is_terminal(&std::io::stdout());
            print(cli.json, json!(page), || {
                let mut lines: Vec<String> = page
                    .hits
                    .iter()
                    .map(|h| {
                        let snippet: String = h
                            .snippet
                            .iter()
                            .map(|seg| match (seg.hit, bold) {
                                (true, true) => format!("\x1b[1;31m{}\x1b[0m", seg.text),
                                _ => seg.text.clone(),
                            })
                            .collect();
                        format!(
                            "{} {} {} {}",
                            h.message.send_time,
                            h.nickname
                                .as_deref()
                                .or(h.message.external_userid.as_deref())
                                .unwrap_or(""),
                            h.message.msgid,
                            snippet.replace('\n', " ")
                        )
                    })
                    .collect();
                if let Some(next) = page.next_before {
                    lines.push(format!("more: --before {next}"));
                }
                lines.join("\n")
            });
        }
    }
    Ok(())
}

/// A report bound: Unix seconds as given, or the start of a day in `tz` (`days_after` 1: the
/// start of the next day, so the day is included).
fn report_bound(s: &str, tz: i32, days_after: i64) -> Result<i64, String> {
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    let day = kefu_core::report::calendar::parse_date(s)
        .ok_or_else(|| format!("expected Unix seconds or YYYY-MM-DD, got {s:?}"))?;
    Ok(kefu_core::report::calendar::day_start(day + days_after, tz))
}

fn parse_offset(s: &str) -> Result<i32, String> {
    kefu_core::report::calendar::parse_offset(s)
        .ok_or_else(|| format!("expected an offset like +08:00, got {s:?}"))
}

/// The report for a terminal.
fn report_text(r: &kefu_core::report::Report) -> String {
    use kefu_core::report::{Figures, Timing};
    let secs = |v: Option<i64>| match v {
        Some(s) if s >= 3600 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        Some(s) if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        Some(s) => format!("{s}s"),
        None => "-".into(),
    };
    let timing = |t: &Timing| {
        format!(
            "{} avg / {} p90 (n={})",
            secs(t.avg_secs),
            secs(t.p90_secs),
            t.count
        )
    };
    let line = |name: &str, f: &Figures| {
        format!(
            "{name:<20} sessions {:>5}  answered {:>5.1}%  first response {}  response {}  in {}  out {}  refused {}",
            f.sessions,
            f.answered_share.unwrap_or(0.0) * 100.0,
            timing(&f.first_response),
            timing(&f.response),
            f.messages_in,
            f.messages_out,
            f.refused
        )
    };
    let mut out = vec![line("desk", &r.totals)];
    for a in &r.by_agent {
        let name = if a.actor.wecom {
            format!("{} (WeCom)", a.actor.name)
        } else {
            a.actor.name.clone()
        };
        out.push(line(&name, &a.figures));
    }
    for a in &r.by_account {
        out.push(line(a.name.as_deref().unwrap_or(&a.open_kfid), &a.figures));
    }
    out.join("\n")
}

/// Parses Unix seconds or a UTC date (its first second).
fn parse_time_start(s: &str) -> Result<i64, String> {
    parse_time(s, 0)
}

/// Parses Unix seconds or a UTC date (its last second).
fn parse_time_end(s: &str) -> Result<i64, String> {
    parse_time(s, 86_399)
}

fn parse_time(s: &str, day_offset: i64) -> Result<i64, String> {
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    let parts: Vec<&str> = s.split('-').collect();
    let bad = || format!("expected Unix seconds or YYYY-MM-DD, got {s:?}");
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok(kefu_core::report::calendar::days_from_civil(y, m, d) * 86_400 + day_offset)
}
