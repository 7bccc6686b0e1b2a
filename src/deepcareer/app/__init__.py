"""The application layer: one library function per use case, typed records out.

The faces (the CLI, the web app, the notebook API) parse what the person gave, call one
function here and render what comes back; they decide nothing and never touch the store
or the domain packages themselves (import-linter keeps it so, in ``make lint``). That is
what makes the terminal, the browser and the report agree: there is one copy of each rule.

Modules, by family of use cases: ``session`` (opening a home), ``practice`` (start,
check, hint, solution), ``review`` (the review session card by card), ``quiz``,
``progress`` (progress, next step, dashboard, goal, mentor report), ``projects``,
``career`` (roles, readiness, plan, postings, claims), ``portfolio``, ``data``
(export, import, doctor) and ``authoring`` (content checks for authors).
"""
