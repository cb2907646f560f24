"""The baseline: a hello-world Textual app (header, label, footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Label


class HelloApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Hello, world")
        yield Footer()


if __name__ == "__main__":
    HelloApp().run()
