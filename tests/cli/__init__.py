"""The command line and the Python API under attack: exit codes, isolation of user code, bounded work."""
