"""The ``exam-server`` commands (CONTRACT section 1), each a thin call into a service."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from exam_server.config import load_settings
from exam_server.errors import BadInput, ExamError


def fail(message: str, status: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def command(func):
    """Every command: takes --data, turns our errors into a message and an exit status."""

    @click.option("--data", "data_dir", type=click.Path(file_okay=False), default=None,
                  help="Data folder (default $EXAM_DATA_DIR, else ./instance).")
    @functools.wraps(func)
    def wrapper(data_dir, **kwargs):
        try:
            from exam_server.security.private_files import private_umask

            private_umask()  # whatever a command writes (keys, database, exports) is its user's only
            settings = load_settings({"data_dir": data_dir} if data_dir else None)
            return func(settings, **kwargs)
        except ExamError as exc:
            fail(exc.message, exc.exit_status)
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror}" if exc.strerror else str(exc), 1)
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a failure of ours, not of the input: say so, keep the trace for a report
            import traceback

            traceback.print_exc()
            fail(f"unexpected failure ({type(exc).__name__}: {exc}); please report it with the trace above", 1)

    return wrapper


def context(settings):
    from exam_server.composition import build_services

    return build_services(settings)


def emit(data, as_json: bool, human) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        human(data)


def read_input(path: str, limit: int | None = None) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise BadInput(f"{path}: no such file")
    if limit is not None and file.stat().st_size > limit:
        raise BadInput(f"{path}: {file.stat().st_size} bytes is over the limit of {limit} bytes")
    return file.read_bytes()


@click.group(help="Computer-based testing server: banks, exams, sessions, live proctoring, signed results.")
def cli():
    pass


@cli.command(help="Create or upgrade the database schema and create missing keys. Safe to run again.")
@click.option("--role", type=click.Choice(["standalone", "hub", "site"]), default=None,
              help="hub, site or standalone (default); chosen at the first init and never changed after.")
@click.option("--json", "as_json", is_flag=True)
@command
def init(settings, role, as_json):
    from exam_server.security.keys import ensure_keys
    from exam_server.security.private_files import make_private
    from exam_server.sites.role import choose_role

    make_private(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    chosen = choose_role(settings.data_dir, role)
    if role is not None and role != chosen:
        click.echo(f"warning: this server's role is {chosen}; it was chosen at the first init and stays", err=True)
    created = ensure_keys(settings)
    ctx = context(settings)
    ctx.db.upgrade()
    ctx.close()
    data = {"data_dir": str(settings.data_dir.resolve()), "database": _safe_url(settings), "created_keys": created}
    if chosen != "standalone":
        data["role"] = chosen
    emit(data, as_json, lambda d: click.echo(
        f"data folder {d['data_dir']}\ndatabase {d['database']} is up to date\n"
        + (f"created: {', '.join(created)}" if created else "keys: present")))


def _safe_url(settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


@cli.command("import-bank", help="Import a question bank file as a new version of a bank.")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--bank", "bank_code", help="Bank code (default: from the file name).")
@click.option("--format", "fmt", help="gift, aiken, csv, xlsx, qti, moodlexml or docx (default: guessed).")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@click.option("--strict", is_flag=True, help="Refuse the file if any item would be skipped.")
@click.option("--json", "as_json", is_flag=True)
@command
def import_bank(settings, file, bank_code, fmt, dry_run, strict, as_json):
    from exam_server.banks.importer import MAX_BANK_BYTES
    from exam_server.services.banks import NothingDeliverable
    from exam_server.services.banks import import_bank as run

    data = read_input(file, MAX_BANK_BYTES)
    try:
        with _progress(enabled=not as_json) as progress:
            report = run(context(settings), data, file, bank_code=bank_code, fmt=fmt, strict=strict,
                         dry_run=dry_run, progress=progress)
    except NothingDeliverable as exc:
        if as_json:  # the reasons on stdout too; the message and exit 2 follow
            _print_import_json(exc.report)
        raise
    if as_json:
        _print_import_json(report)
    else:
        _print_import_report(report, dry_run)


def _print_import_json(report: dict) -> None:
    keys = ("bank", "version", "imported", "skipped", "warnings")
    extra = {k: v for k, v in report.items() if k not in keys}
    click.echo(json.dumps({**{k: report[k] for k in keys}, **extra}, ensure_ascii=False, indent=2))


class _progress:
    """A progress bar on a terminal for large files; nothing when piped."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def __enter__(self):
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc="reading", leave=False, file=sys.stderr)
        self.bar.n = done
        self.bar.refresh()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()


def _print_import_report(report: dict, dry_run: bool) -> None:
    if report.get("unchanged"):
        click.echo(f"bank {report['bank']}: identical to version {report['version']}, nothing changed")
    else:
        verb = "would import" if dry_run else "imported"
        click.echo(f"bank {report['bank']} version {report['version']}: {verb} {report['imported']} items")
    for category, count in (report.get("categories") or {}).items():
        click.echo(f"  {category or '(no category)'}: {count}")
    for skipped in report["skipped"]:
        click.echo(f"skipped {skipped['item']} (line {skipped['line']}): {skipped['reason']}")
    for warning in report["warnings"]:
        click.echo(f"warning: {warning}")


@cli.command(help="List banks with their versions and item counts per category.")
@click.option("--json", "as_json", is_flag=True)
@command
def banks(settings, as_json):
    from exam_server.services.banks import list_banks

    def human(rows):
        if not rows:
            click.echo("no banks yet: import one with 'exam-server import-bank FILE'")
        for bank in rows:
            for v in bank["versions"]:
                categories = ", ".join(f"{c or '-'} {n}" for c, n in v["categories"].items())
                click.echo(f"{bank['code']}\tv{v['version']}\t{v['format']}\t{v['items']} items\t{categories}")

    emit(list_banks(context(settings)), as_json, human)


@cli.command("export-bank", help="Write a bank (its newest version, or --version N) to a file in another format.")
@click.argument("code")
@click.option("--format", "fmt", required=True, type=click.Choice(["gift", "qti", "xlsx"]))
@click.option("--version", "version", type=int, default=None)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@command
def export_bank(settings, code, fmt, version, out):
    from exam_server.banks.export import export_bank as write
    from exam_server.services.banks import bank_items

    items, assets = bank_items(context(settings), code, version)
    Path(out).write_bytes(write(items, assets, fmt))
    click.echo(f"{len(items)} items of bank {code} written to {out} ({fmt})")


@cli.command("bank-template", help="Write the template for question banks (CSV, XLSX or Word .docx).")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "xlsx", "docx"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@command
def bank_template(settings, fmt, out):
    from exam_server.banks.docx_template import template_docx
    from exam_server.banks.template import template_csv, template_xlsx

    writers = {"csv": template_csv, "xlsx": template_xlsx, "docx": template_docx}
    Path(out).write_bytes(writers[fmt]())
    click.echo(f"template written to {out}")


@cli.command("create-exam", help="Register an exam definition from a blueprint (TOML).")
@click.argument("blueprint", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@command
def create_exam(settings, blueprint, as_json):
    from exam_server.services.exams import create_exam as run

    text = read_input(blueprint, 1024 * 1024).decode("utf-8", errors="replace")
    code = run(context(settings), text, blueprint)
    emit({"exam_code": code}, as_json, lambda d: click.echo(d["exam_code"]))


@cli.command("create-session", help="Open a sitting of an exam for a list of candidates.")
@click.option("--exam", "exam_code", required=True)
@click.option("--name", required=True)
@click.option("--hall", default=None, help="The hall (ruang) the session sits in, at most 100 characters.")
@click.option("--candidates", required=True, type=click.Path(dir_okay=False))
@click.option("--proctor", "proctors", multiple=True, help="Staff username to assign as proctor (repeatable).")
@click.option("--seed", type=int, default=None, help="Seed of the forms (default: random).")
@click.option("--credentials-out", type=click.Path(dir_okay=False), default=None,
              help="Write participant_number,password for every candidate here.")
@click.option("--cards-out", type=click.Path(dir_okay=False), default=None,
              help="Write printable login cards (PDF) with passwords and a QR code of the kiosk here.")
@click.option("--site", "site", default=None, help="At a hub: the site where the sitting takes place.")
@click.option("--json", "as_json", is_flag=True)
@command
def create_session(settings, exam_code, name, hall, candidates, proctors, seed, credentials_out, cards_out, site,
                   as_json):
    from exam_server.services.sessions import create_session as run

    if site is not None:
        from exam_server.sites.hub import check_site_for_session

        check_site_for_session(context(settings), site)
    opened = run(context(settings), exam_code, name, read_input(candidates, 16 * 1024 * 1024), candidates,
                 proctors=proctors, seed=seed, site=site, hall=hall)
    if credentials_out:
        from exam_server.services.exports import write_credentials

        write_credentials(Path(credentials_out), opened["credentials"])
    if cards_out:
        from exam_server.services.sessions import login_cards

        Path(cards_out).write_bytes(login_cards(context(settings), opened))
        Path(cards_out).chmod(0o600)
    data = {k: opened[k] for k in ("session_id", "session_token", "exam_code", "hall", "candidates")}
    emit(data, as_json, lambda d: click.echo(
        f"session_id {d['session_id']}\nsession_token {d['session_token']}\n{d['candidates']} candidates"
        + (f", credentials in {credentials_out}" if credentials_out else "")))


@cli.command("add-user", help="Create a staff account; the password is read from stdin.")
@click.option("--role", required=True, type=click.Choice(["admin", "proctor"]))
@click.option("--username", required=True)
@command
def add_user(settings, role, username):
    from exam_server.services.users import add_user as run

    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user_id = run(context(settings), role, username, password)
    click.echo(f"{role} {username} created (id {user_id})")


@cli.command(help="Export the results of a session.")
@click.argument("session_id", type=int)
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "json", "xlsx", "pdf"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]), help="Language of the PDF.")
@command
def results(settings, session_id, fmt, out, lang):
    from exam_server.services.exports import export_results

    data = export_results(context(settings), session_id, fmt, lang)
    Path(out).write_bytes(data)
    click.echo(f"results of session {session_id} written to {out}")


@cli.command(help="Sign and publish every result of a session (and close it).")
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@command
def publish(settings, session_id, as_json):
    from exam_server.services.publishing import publish as run

    done = run(context(settings), session_id)
    emit(done, as_json, lambda d: click.echo(
        f"session {d['session_id']}: {d['signed']} results signed with key {d['key_id']} ({d['results']} in all)"))


@cli.command(help="Check the signatures of a published results file offline (exit 3 when any is not valid).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--public-key", "public_key", type=click.Path(dir_okay=False), default=None,
              help="A PEM public key, or the JSON served at /api/v1/keys (default: the data folder's keys).")
@click.option("--json", "as_json", is_flag=True)
@command
def verify(settings, file, public_key, as_json):
    from exam_server.security import keys as key_store
    from exam_server.security.signing import RepeatedKey, check, load_public_keys, load_strict

    try:
        document = load_strict(read_input(file, 256 * 1024 * 1024))
    except RepeatedKey as exc:
        refuse_repeated_key(file, str(exc), as_json)
    except ValueError as exc:
        raise BadInput(f"{file}: not a JSON document ({exc})") from None
    results = document.get("results", [document]) if isinstance(document, dict) else None
    if not results or not all(isinstance(r, dict) for r in results):
        raise BadInput(f"{file}: neither a results document nor one result")
    if public_key:
        try:
            public = load_public_keys(read_input(public_key, 1024 * 1024))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{public_key}: not a public key file ({exc})") from None
    else:
        public = {kid: k.public for kid, k in key_store.signing_keys(settings).items()}
    replaced = _superseded(settings, [r.get("result_id") for r in results])
    checked = [{"result_id": r.get("result_id"), "participant_number": r.get("participant_number"),
                "problem": check(r, public), **_superseded_fields(replaced.get(r.get("result_id")))}
               for r in results]
    if as_json:
        click.echo(json.dumps({"valid": all(c["problem"] is None for c in checked), "results": checked}, indent=2))
    else:
        for c in checked:
            later = f" (superseded by revision {c['superseded_by']['revision']}, {c['superseded_by']['result_id']})" \
                if c.get("superseded") else ""
            click.echo(f"{c['participant_number']}\t{c['result_id']}\t{'valid' if c['problem'] is None else 'NOT VALID: ' + c['problem']}{later}")
    if any(c["problem"] for c in checked):
        sys.exit(3)


def refuse_repeated_key(file: str, problem: str, as_json: bool) -> None:
    """A file that repeats a key is not valid (exit 3), whatever its signatures say."""
    if as_json:
        click.echo(json.dumps({"valid": False, "problem": problem, "results": []}, indent=2))
    else:
        click.echo(f"{file}\tNOT VALID: {problem}")
    sys.exit(3)


@cli.command(help="Correct an item of a session after the sitting (new key, weights or annulment) and rescore.")
@click.argument("session_id", type=int)
@click.option("--item", "item_id", type=int, required=True, help="The item's id (as the bank browser shows it).")
@click.option("--key", default=None, help="The correct option's letter in the bank's original order.")
@click.option("--weight", "weights", default=None, help="Weights in points, e.g. A=5,B=4 (or A=80%).")
@click.option("--annul", type=click.Choice(["full", "none"]), default=None,
              help="full: everyone earns the item's full points; none: it counts for no one.")
@click.option("--reason", required=True, help="Why (goes into the audit log and the minutes).")
@click.option("--dry-run", is_flag=True, help="Show whose points and pass/fail change; save nothing.")
@click.option("--json", "as_json", is_flag=True)
@command
def correct(settings, session_id, item_id, key, weights, annul, reason, dry_run, as_json):
    from exam_server.services.corrections import Change, correct as run

    done = run(context(settings), session_id, item_id, Change(key, weights, annul), reason, dry_run=dry_run)
    emit(done, as_json, _print_correction)


def _print_correction(d: dict) -> None:
    click.echo(f"session {d['session_id']}, item {d['item_id']}: {d['before']} -> {d['after']}"
               f"{' (dry run: nothing saved)' if d['dry_run'] else ''}")
    click.echo(f"{d['examined']} attempts drew the item, {len(d['changed'])} results change")
    for c in d["changed"]:
        verdict = "" if c["passed_before"] == c["passed_after"] else \
            f"  {'LULUS' if c['passed_after'] else 'TIDAK LULUS'} (was {'LULUS' if c['passed_before'] else 'TIDAK LULUS'})"
        click.echo(f"  {c['participant_number']}\t{c['total_before']} -> {c['total_after']} ({c['delta']}){verdict}")


def _superseded(settings, result_ids) -> dict:
    """Which results the data folder's database knows as replaced by a correction (none without a database)."""
    if settings.is_sqlite and not Path(settings.resolved_database_url.removeprefix("sqlite:///")).is_file():
        return {}
    from exam_server.services.revisions import superseded_ids

    ctx = context(settings)
    try:
        with ctx.db.reading() as session:
            return superseded_ids(session, result_ids)
    except Exception:  # noqa: BLE001 - offline checking goes on without the database
        return {}
    finally:
        ctx.close()


def _superseded_fields(later: dict | None) -> dict:
    return {"superseded": True, "superseded_by": later} if later else {}


@cli.command("rotate-bank-key", help="Re-encrypt every bank with a new key (stop the server first).")
@click.option("--force", is_flag=True, help="Rotate even though a server seems to be running on this database.")
@command
def rotate_bank_key(settings, force):
    from exam_server.services.key_rotation import rotate_bank_key as run

    done = run(context(settings), force=force)
    click.echo(f"{done['items']} items and {done['assets']} images re-encrypted; the old key is in {done['retired_key']}"
               " (keep it offline only as long as backups made with it must be restored)")


@cli.command("rotate-key", help="Make a new result signing key current; results signed before stay verifiable.")
@click.option("--anchor", is_flag=True, help="Rotate the key that anchors attempt logs instead (restart the servers).")
@command
def rotate_key(settings, anchor):
    from exam_server.security.keys import rotate_anchor_key, rotate_signing_key

    if anchor:
        click.echo(f"new anchor key {rotate_anchor_key(settings).key_id}")
    else:
        click.echo(f"new signing key {rotate_signing_key(settings).key_id}")


@cli.command(help="Item analysis of a session for the committee: per item facility, discrimination, distractors.")
@click.argument("session_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the per-item table as CSV here.")
@click.option("--json", "as_json", is_flag=True)
@command
def analysis(settings, session_id, out, as_json):
    from exam_server.services.analysis import session_analysis
    from exam_server.services.exports import analysis_csv

    report = session_analysis(context(settings), session_id)
    if out:
        Path(out).write_bytes(analysis_csv(report))

    def human(r):
        click.echo(f"session {r['session_id']}: {r['candidates']} finished attempts, {len(r['items'])} items")
        for s in r["sections"]:
            click.echo(f"  {s['section']}: mean {s['mean']}, sd {s['sd']}, {s['reliability_method']} {s['reliability']}")
        for row in r["items"]:
            if row["flags"]:
                click.echo(f"  flagged {row['title'] or row['item_id']}: {row['flags']}")

    emit(report, as_json, human)


@cli.command(help="The session's minutes (berita acara): attendance, staff actions with reasons, irregularities.")
@click.argument("session_id", type=int)
@click.option("--format", "fmt", required=True, type=click.Choice(["pdf", "csv", "json"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]), help="Language of the PDF.")
@command
def minutes(settings, session_id, fmt, out, lang):
    from exam_server.services import minutes as record

    ctx = context(settings)
    document = record.session_minutes(ctx, session_id)
    data = {"pdf": lambda m: record.minutes_pdf(ctx, m, lang), "csv": lambda m: record.minutes_csv(m, settings.office_zone),
            "json": lambda m: json.dumps(m, ensure_ascii=False, indent=2).encode()}[fmt](document)
    Path(out).write_bytes(data)
    click.echo(f"minutes of session {session_id} written to {out}")


@cli.command(help="Replay an attempt from its event log; --verify checks the hash chain, its signed anchors "
                  "and the live score (exit 3 when anything disagrees). --session checks every attempt of a session.")
@click.argument("attempt_id", type=int, required=False)
@click.option("--session", "session_id", type=int, help="Every attempt of this session instead of one.")
@click.option("--verify", is_flag=True, help="Only say whether the log is intact, and where it breaks.")
@click.option("--json", "as_json", is_flag=True)
@command
def audit(settings, attempt_id, session_id, verify, as_json):
    from exam_server.services.audit import replay, session_attempts

    if (attempt_id is None) == (session_id is None):
        raise BadInput("give either ATTEMPT_ID or --session SESSION_ID")
    ctx = context(settings)
    ids = [attempt_id] if session_id is None else session_attempts(ctx, session_id)
    reports = [replay(ctx, one) for one in ids]
    if as_json:
        click.echo(json.dumps(reports[0] if session_id is None else reports, ensure_ascii=False, indent=2))
    for report in [] if as_json else reports:
        _print_audit(report, verify)
    if not all(report["intact"] for report in reports):
        sys.exit(3)


def _print_audit(report: dict, verify: bool) -> None:
    if not verify:
        for event in report["events"]:
            click.echo(f"{event['number']:>5} {event['at']} {event['kind']:<8} {json.dumps(event['data'], ensure_ascii=False)}")
    verdict = "intact" if report["intact"] else f"BROKEN: {'; '.join(report['problems'])}"
    tail = f", {report['unanchored_events']} after the last anchor" if report["unanchored_events"] else ""
    click.echo(f"attempt {report['attempt_id']} ({report['participant_number']}): {len(report['events'])} events"
               f"{tail}, log {verdict}")


def _listen_options(func):
    """--host and --port, with their defaults said in --help."""
    func = click.option("--port", type=int, default=None,
                        help="Port to listen on (default 5000, or EXAM_PORT / 'port' in DATA/config.toml).")(func)
    return click.option("--host", default=None,
                        help="Address to listen on (default 127.0.0.1, only this machine; 0.0.0.0 for the "
                             "whole hall; or EXAM_HOST / 'host' in DATA/config.toml).")(func)


def _listening_settings(settings, host, port, *, will_listen: bool = True):
    """The settings with --host/--port applied; stops with exit status 1 when the port is taken."""
    from dataclasses import replace

    from exam_server.port_check import busy_port_message, port_in_use

    settings = replace(settings, host=host or settings.host, port=port or settings.port)
    if will_listen and port_in_use(settings.host, settings.port):
        click.echo(busy_port_message(settings.port), err=True)
        sys.exit(1)
    return settings


@cli.command(help="Serve the kiosk, the proctor console, the admin pages and the API.")
@_listen_options
@command
def serve(settings, host, port):
    from exam_server.server import run_server

    run_server(_listening_settings(settings, host, port))


@cli.command(help="Set up the sample exams in the data folder, print the logins and serve.")
@_listen_options
@click.option("--no-serve", is_flag=True, help="Prepare and print, do not serve.")
@command
def demo(settings, host, port, no_serve):
    from exam_server.services.demo import prepare

    settings = _listening_settings(settings, host, port, will_listen=not no_serve)
    info = prepare(context(settings))
    base = settings.public_url.rstrip("/") if settings.public_url else f"http://{settings.host}:{settings.port}"
    _print_demo(base, info)
    if not no_serve:
        from exam_server.server import run_server

        run_server(settings)


# --- sites and a hub (CONTRACT section 6) ---

@cli.group(help="At a hub: register and revoke sites.")
def site():
    pass


@site.command("add", help="Register a site; prints its one-time enrollment code (valid 24 h).")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--json", "as_json", is_flag=True)
@command
def site_add(settings, code, name, as_json):
    from exam_server.sites.hub import add_site, require_role

    require_role(settings, "hub")
    emit(add_site(context(settings), code, name), as_json,
         lambda d: click.echo(f"site {d['site']}\nenrollment_code {d['enrollment_code']}  (one time, 24 h)"))


@site.command("revoke", help="Refuse every message of a site from now on.")
@click.argument("code")
@command
def site_revoke(settings, code):
    from exam_server.sites.hub import require_role, revoke_site

    require_role(settings, "hub")
    revoke_site(context(settings), code)
    click.echo(f"site {code} revoked")


@site.command("resolve", help="Accept the hub's recomputed result of an attempt whose site reported another.")
@click.argument("attempt_id", type=int)
@click.option("--note", required=True, help="Why the hub's figures stand (kept in the audit log).")
@command
def site_resolve(settings, attempt_id, note):
    from exam_server.sites.hub import require_role, resolve_mismatch

    require_role(settings, "hub")
    resolve_mismatch(context(settings), attempt_id, note)
    click.echo(f"attempt {attempt_id}: the hub's result stands and may be published")


@cli.command(help="At a hub: the sites, whether their link is up, and what they still hold.")
@click.option("--json", "as_json", is_flag=True)
@command
def sites(settings, as_json):
    from exam_server.sites.hub import require_role, site_views

    require_role(settings, "hub")
    keys = ("site", "name", "online", "last_seen", "backlog", "sessions")

    def human(rows):
        if not rows:
            click.echo("no sites yet: add one with 'exam-server site add CODE --name NAME'")
        for row in rows:
            state = "online" if row["online"] else "offline"
            click.echo(f"{row['site']}\t{row['name']}\t{state}\tlast seen {row['last_seen'] or '-'}\t"
                       f"backlog {row['backlog']}\t{row['sessions']} sessions")

    emit([{k: row[k] for k in keys} for row in site_views(context(settings))], as_json, human)


@cli.command(help="At a site: register this site's key with the hub, using the code the hub printed.")
@click.option("--hub", "hub_url", required=True)
@click.option("--code", required=True)
@click.option("--json", "as_json", is_flag=True)
@command
def enroll(settings, hub_url, code, as_json):
    from exam_server.sites.hub import require_role
    from exam_server.sites.site import enroll as run

    require_role(settings, "site")
    emit(run(context(settings), hub_url, code), as_json,
         lambda d: click.echo(f"site {d['site']} enrolled with hub {d['hub']}"))


@cli.command(help="At a site: one exchange with the hub now (sessions down, events up).")
@click.option("--json", "as_json", is_flag=True)
@command
def sync(settings, as_json):
    from exam_server.sites.hub import require_role
    from exam_server.sites.site import Link

    require_role(settings, "site")
    ctx = context(settings)
    link = Link(ctx)
    done = link.exchange()
    while done["backlog"] and done["pushed_events"]:  # one exchange at a time, until the hub holds everything
        more = link.exchange()
        done = {"pulled_sessions": done["pulled_sessions"] + more["pulled_sessions"],
                "pushed_events": done["pushed_events"] + more["pushed_events"], "backlog": more["backlog"],
                "commands": []}
    data = {k: done[k] for k in ("pulled_sessions", "pushed_events", "backlog")}
    emit(data, as_json, lambda d: click.echo(
        f"pulled {d['pulled_sessions']} sessions, pushed {d['pushed_events']} events, backlog {d['backlog']}"))


@cli.command("open-session", help="Open a sealed session: at a hub, release it to its site; at a site, with --release-code.")
@click.argument("session_id", type=int)
@click.option("--release-code", "code", default=None, help="At a site: the code the hub read out.")
@click.option("--json", "as_json", is_flag=True)
@command
def open_session(settings, session_id, code, as_json):
    from exam_server.sites import seals
    from exam_server.sites.role import read_role

    role = read_role(settings.data_dir)
    if role == "hub":
        done = seals.open_at_hub(context(settings), session_id)
    elif role == "site":
        if not code:
            raise BadInput("--release-code: at a site a session opens with the code from the hub "
                           "(or by the hub itself over the link)")
        done = seals.open_with_code(context(settings), session_id, code)
    else:
        raise BadInput("open-session runs at a hub or a site; this server is standalone")
    emit(done, as_json, lambda d: click.echo(f"session {d['session_id']} opened"))


@cli.command("release-code", help="At a hub: the code that opens a sealed session at its site without the hub.")
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@command
def release_code(settings, session_id, as_json):
    from exam_server.sites.hub import require_role
    from exam_server.sites.seals import release_code as run

    require_role(settings, "hub")
    emit(run(context(settings), session_id), as_json,
         lambda d: click.echo(f"session {d['session_id']}\nrelease_code {d['release_code']}"))


def _print_demo(base: str, info: dict) -> None:
    """Staff logins once, then each session with its own addresses and logins."""
    click.echo(f"\nAdministration:  {base}/admin")
    for staff in info["staff"]:
        click.echo(f"  {staff['role']:<8} {staff['username']} / {staff['password']}")
    for opened in info["sessions"]:
        click.echo(f"\n{opened['name']} (exam {opened['exam_code']}, session {opened['session_id']})")
        click.echo(f"  kiosk (candidates): {base}/?session={opened['session_token']}")
        click.echo(f"  proctor console:    {base}/proctor  (session {opened['session_id']})")
        click.echo(f"  scoreboard:         {base}/scoreboard/{opened['session_id']}")
        click.echo(f"  session token: {opened['session_token']}")
        for cred in opened["credentials"][:3]:
            click.echo(f"  candidate {cred['participant_number']} / {cred['password']}")
        click.echo(f"  ...all {len(opened['credentials'])} logins in {opened['credentials_file']}")
    click.echo("")
