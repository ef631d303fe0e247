"""Running the whole desk on one machine: emulators, functions, relay, stand-in."""
