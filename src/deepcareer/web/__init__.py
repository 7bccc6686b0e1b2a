"""The local web app: the whole loop in a browser, over the same library as the CLI."""
