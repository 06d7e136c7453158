"""``python -m pipeline`` runs the command line interface."""

from pipeline.cli import app

if __name__ == "__main__":  # worker processes import this module too; they must not start a run
    app(prog_name="entity-pipeline")
