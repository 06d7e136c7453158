"""Entity names: the per-article normalize stage and the corpus-level resolver.

``article`` turns the model's mentions of one article into entities with canonical names;
the other modules hold the parts it is built from. Nothing heavy is imported here.
"""
