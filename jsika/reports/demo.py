"""The demo step of the reports app: compute the dashboard's figures from everything seeded before it.

Runs last in ``seed_demo`` (after programs, payments, field work, graduation, grievances), so the
dashboard shows the demo data as soon as the server starts.
"""

from datetime import date

from .services import refresh_figures


def seed_reports(ctx=None, /, *, admin=None, rng=None, today: date | None = None) -> str:
    """Refresh the figures; call as a seed_demo step (``seed_reports(ctx)``) or directly."""
    if ctx is not None:
        admin, today = ctx.admin, ctx.today
    run = refresh_figures(by=admin, today=today)
    return f"angka dasbor: {run.rows} baris dari {', '.join(run.sources) or '-'} ({run.seconds:.1f} detik)"
