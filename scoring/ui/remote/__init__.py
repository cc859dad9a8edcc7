"""The expert page's store door: one store process per dashboards server, kernels as thin clients.

An expert's page is the page a defense day opens sixty times. With the store in its kernel, each
of those kernels imported pandas, NumPy, SQLAlchemy and psycopg (2.6x a bare ipywidgets kernel's
memory, and a CPU-second of imports at login while the others were saving). Here the server
(:func:`scoring.ui.serve.serve`) starts one **store process** (:mod:`.server`) holding the store
once, on a Unix socket in a private folder with a random key; the expert kernel's backend
(:class:`.client.RemoteBackend`) sends it each call as JSON (:mod:`.wire`) and gets plain values
back. Rights are decided where they always were, in the store: the kernel never holds an actor,
only a handle that is valid on its own connection.

Only the calls the expert page makes are offered (:data:`.wire.EXPERT_CALLS`); the other pages
(board, console, bank, follow-up) keep the store in their kernel.
"""
