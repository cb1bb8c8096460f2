"""The remote proctor's console: a web console served at /proctor and a terminal console."""
