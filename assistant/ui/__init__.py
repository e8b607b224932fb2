"""The Gradio app.

Chat with visible evidence, the library (uploads and deletions with
provenance), the FAQ and Evaluate tabs, safe rendering, sign-in throttling and feedback
records. Callbacks render results; they never open stores or build chains.
"""

__all__ = ["app", "chat", "eval_tab", "faq_tab", "feedback", "library", "login_guard", "render", "uploads"]
