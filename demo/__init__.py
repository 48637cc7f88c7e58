"""The demo company (SPEC §8): sample data and the seed_demo command, kept out of the runtime apps."""
