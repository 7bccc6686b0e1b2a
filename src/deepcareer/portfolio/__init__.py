"""The learner's portfolio website, built from verified work in the store."""
