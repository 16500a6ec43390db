"""The ``housing`` command: migrate, deploy, serve, worker, scheduler, demo data, sandbox, audit, db."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from app import heap
from app.audit.cli import audit_cmd, db_cmd
from app.auth.user_cli import user_cmd
from app.config import ROOT, ConfigError

log = logging.getLogger(__name__)


def _create_app() -> Flask:
    from app.config import Settings
    from app.factory import create_app
    from app.logs import configure_logging

    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        return create_app(settings)
    except ConfigError as exc:
        click.echo(f"配置错误 / configuration error:\n{exc}", err=True)
        sys.exit(2)


def _running_app() -> Flask:
    """The app behind ``current_app`` (a thread or a loop outliving the command's context needs it)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as Flask


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="保障房审批系统 — housing approval system.")
def main() -> None:
    """Entry point of the ``housing`` console script."""


def migrate_database(url: str) -> None:
    """Bring the database schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("postgresql://", "postgresql+psycopg2://", 1)
                        .replace("%", "%%"))
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(cfg, "head")


def deploy_directory(directory: Path, actor: str = "system") -> list:
    """Deploy every .bpmn/.dmn file under ``directory`` in one deployment."""
    from app.services import definition_service

    files = sorted(p for p in directory.rglob("*") if p.suffix in (".bpmn", ".dmn"))
    if not files:
        return []
    deployed, warnings = definition_service.deploy(
        [(str(p.relative_to(directory)), p.read_bytes()) for p in files], actor, "deployed from processes/")
    for w in warnings:
        log.info("warning %s %s: %s", w.file, w.element_id, w.message)
    return deployed


@click.command("migrate")
@with_appcontext
def migrate_cmd() -> None:
    """Apply database migrations."""
    migrate_database(current_app.extensions["housing.settings"].database_url)
    click.echo("数据库已迁移到最新版本 (database migrated)")


@click.command("deploy")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def deploy_cmd(directory: Path | None) -> None:
    """Deploy the BPMN/DMN files of DIRECTORY (default: processes/)."""
    from app.services.errors import DeploymentInvalid

    directory = directory or Path(current_app.extensions["housing.settings"].processes_dir)
    try:
        deployed = deploy_directory(directory)
    except DeploymentInvalid as exc:
        click.echo(f"部署失败 (deploy failed): {exc.detail}", err=True)
        for p in exc.problems:
            click.echo(f"  {p['file']} {p.get('element_id') or ''} line {p.get('line') or '-'}: {p['message']}",
                       err=True)
        sys.exit(1)
    for d in deployed:
        click.echo(f"{d.kind:8} {d.key} v{d.version}{'' if d.created else ' (unchanged)'}")


@click.command("demo-data")
@click.option("--cases/--no-cases", default=False, show_default=True,
              help="Also submit sample applications (needs the processes deployed and the sandbox running).")
@with_appcontext
def demo_data_cmd(cases: bool) -> None:
    """Create the demo users (password demo123) and, with --cases, sample applications."""
    from app.services import demo_service

    users = demo_service.load_demo_users()
    click.echo(f"演示用户 (demo users, password {demo_service.DEMO_PASSWORD}): {', '.join(users)}")
    demo_service.load_demo_public_content()
    demo_service.load_demo_stock()
    if cases:
        created = demo_service.load_demo_cases()
        click.echo(f"示例申请 (sample applications): {', '.join(created) or '—'}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@with_appcontext
def worker_cmd(burst: bool) -> None:
    """Run an RQ worker for service-task jobs (needs HOUSING_JOB_RUNNER=rq)."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from app.jobs import tasks
    from app.jobs.rq_runner import RqRunner

    runner = current_app.extensions["housing.runner"]
    if not isinstance(runner, RqRunner):
        click.echo("worker needs HOUSING_JOB_RUNNER=rq", err=True)
        sys.exit(2)
    tasks.bind_app(_running_app())
    heap.settle()
    worker = SimpleWorker([runner.queue], connection=runner.connection, serializer=JSONSerializer)
    worker.work(burst=burst, logging_level="INFO")


def run_scheduler(app: Flask, interval: float, stop: threading.Event) -> None:
    """Sweep every ``interval`` seconds until ``stop`` is set (while this process leads)."""
    from app.services import scheduler_service

    scheduler_service.run_forever(app, interval, stop.wait)


@click.command("scheduler")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between sweeps.")
@with_appcontext
def scheduler_cmd(interval: float) -> None:
    """Fire timers, dispatch retries and re-queue lost jobs, forever.

    Run two or more for availability: one leads (a PostgreSQL advisory lock), the others wait
    to take over.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    heap.settle()
    click.echo(f"scheduler running every {interval}s")
    try:
        run_scheduler(_running_app(), interval, stop)
    except KeyboardInterrupt:
        stop.set()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-sandbox", is_flag=True, help="Do not start the connector sandbox.")
@with_appcontext
def serve_cmd(host: str, port: int, no_sandbox: bool) -> None:
    """Migrate, deploy processes/, load demo users, start the sandbox and scheduler, and serve."""
    app = _running_app()
    settings = app.extensions["housing.settings"]
    migrate_database(settings.database_url)
    deploy_directory(Path(settings.processes_dir))
    from app.services import demo_service

    demo = settings.is_development  # never the well-known demo passwords on a production server
    if demo:
        demo_service.load_demo_users()
        demo_service.load_demo_public_content()
        demo_service.load_demo_stock()
    if not no_sandbox:
        _start_sandbox(settings.sandbox_url)
    if demo and not no_sandbox:
        created = demo_service.load_demo_cases()  # once: applicants who have a case are skipped
        if created:
            click.echo(f"示例申请 (sample applications): {', '.join(created)}")
    stop = threading.Event()
    threading.Thread(target=run_scheduler, args=(app, 1.0, stop), name="scheduler", daemon=True).start()
    heap.settle()
    hint = (f"演示账号 admin / {demo_service.DEMO_PASSWORD}" if demo
            else "生产模式，未创建演示账号 (production: no demo users)")
    click.echo(f"保障房审批系统已启动: http://{host}:{port}/  ({hint})")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop.set()


def _start_sandbox(sandbox_url: str) -> None:
    from urllib.parse import urlparse

    try:
        from connectors.sandbox.server import start_in_thread
    except ImportError:
        log.warning("connector sandbox not available")
        return
    port = urlparse(sandbox_url).port or 8780
    url, _stop = start_in_thread(port=port)
    click.echo(f"外部数据源沙箱 (connector sandbox): {url}")


@click.command("sandbox")
@click.option("--port", default=8780, show_default=True, type=int)
def sandbox_cmd(port: int) -> None:
    """Serve the connector sandbox (all external systems) in the foreground."""
    from connectors.sandbox.server import main as sandbox_main

    sandbox_main(["--port", str(port)])


COMMANDS = (migrate_cmd, deploy_cmd, demo_data_cmd, worker_cmd, scheduler_cmd, serve_cmd, sandbox_cmd, user_cmd,
            audit_cmd, db_cmd)


def register_cli(app: Flask) -> None:
    """Add the commands to ``flask --app app.factory`` as well."""
    for command in COMMANDS:
        app.cli.add_command(command)


for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # python -m app.cli …
    main()
