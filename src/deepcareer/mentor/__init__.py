"""The mentor: what the learner has shown, and what to do next."""
