"""Start-up: the layer above every other (start-up → platforms → runtime → handlers →
storage). It reads the registry, tells the runtime what it needs of the platforms
(``compose``), and serves them (``runner``, ``keeper``, ``supervision``)."""
