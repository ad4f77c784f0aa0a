"""The features this app is made of, in the order they are set up.

Each is a package under app/ whose `init_app(app)` registers its blueprints, permission
rules, sync mutations, home-page actions, CLI commands and demo data. Importing the package
imports its models, so Alembic sees every table.
"""

FEATURES = (
    "app.auth",
    "app.home",
    "app.pwa",
    "app.sync",
    "app.uploads",
    "app.notifications",
    "app.visits",
    "app.problems",
    "app.open311",
    "app.push",
    "app.sms",
    "app.notices",
    "app.conventions",
    "app.consultations",
    "app.logincards",
    "app.directory",
    "app.care",
    "app.organisation",
    "app.accounts",
    "app.joining",
    "app.reports",
    "app.apidocs",
)
