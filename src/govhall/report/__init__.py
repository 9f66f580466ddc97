"""The monthly HTML report (``govhall report``): collect with the engines, render, write.

:func:`~govhall.report.data.collect_month` gathers the month's KPIs, window
scores, a week of opening hours and the cases and ratings awaiting follow-up;
:func:`~govhall.report.html.render_report` turns them into one self-contained
HTML page with inline SVG charts (:mod:`govhall.report.svg`).
"""
