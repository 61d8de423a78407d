"""The only code the tests share. harness.py and mocked.py drive the real Dispatcher with real Update objects
through a recording fake session; people.py, roster.py, report.py, schedule.py, broadcast.py and
webapp_world.py set up the stories; seen.py reads what a user saw and what the database holds; cli.py,
apiserver.py, browser.py and webapp.py reach the processes, servers and pages. The fixtures are in
fixtures.py and apiserver.py, registered by tests/conftest.py."""
