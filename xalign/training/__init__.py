"""The XeroAlign training recipe: data order, objective, optimisation, checkpoints, loop."""
