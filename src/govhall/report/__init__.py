"""The monthly HTML report (``govhall report``): collect with the engines, render, write.

:meth:`govhall.session.HallSession.report` gathers the month's KPIs, window
scores, a week of opening hours and the cases and ratings awaiting follow-up
(a :class:`~govhall.report.data.MonthReport`);
:func:`~govhall.report.html.render_report` turns them into one self-contained
HTML page with inline SVG charts (:mod:`govhall.report.svg`).
"""
