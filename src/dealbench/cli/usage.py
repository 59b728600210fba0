"""Click's usage errors, said in the words of the command a user typed: the option this
command names as another does (`--render` for `--format`), the command a word means
(`web` for `serve`), an option's value in a file's words, and a file or a partner code
given as an argument where this command takes it as an option (`evaluate PORTFOLIO
PACKAGE`, `offer PORTFOLIO AE`). `cli.base._Commands` calls them on Click's errors; each
changes the error's message, or leaves it as it was.

The errors are duck-typed: Typer's own click or click itself raises them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

#: An option one command names as another does, which a user brings from the other: the
#: commands that render documents beside their work take `--render` (solve, room, compare),
#: those whose work is documents `--format` (render, redline, offer, counter, conclude).
_SYNONYMS = {"--render": ("--format",), "--format": ("--render",), "-f": ("--render",)}


def the_name_here(exc: Any) -> None:
    """`offer --render md` said "No such option: --render (Possible options: --partner,
    --rounds)", the options spelt like it: suggest this command's name for the same thing
    ("Did you mean --format?")."""
    ctx = exc.ctx
    if ctx is None:
        return
    here = {opt for param in ctx.command.params for opt in (*param.opts, *param.secondary_opts)}
    named = [opt for opt in _SYNONYMS.get(exc.option_name, ()) if opt in here]
    if named:
        exc.possibilities = named


#: The words a user guesses for a command, where no spelling is near its name, and what
#: the command is: `dealbench web` for the web workbench said only "No such command 'web'"
#: (`server`, spelt near `serve`, was answered).
_COMMAND_WORDS = {
    "serve": ("the local web workbench", ("web", "ui", "gui", "app", "browser", "workbench")),
    "solve": ("the best packages", ("optimize", "optimise", "run", "plan")),
    "validate": ("check data files", ("check", "lint", "verify")),
    "evaluate": ("a package's values and limits", ("score", "assess")),
    "offer": ("record the next US offer", ("propose", "proposal")),
    "conclude": ("record a concluded deal", ("accept", "agree", "sign", "close")),
    "walk-away": ("record talks ended without a deal", ("walk", "quit", "abandon")),
    "history": ("every round with a partner", ("log", "rounds")),
    "room": ("every partner's stage and next move", ("status", "dashboard", "overview")),
    "render": ("term sheets and memos", ("export", "documents", "memo", "term-sheet")),
    "frontier": ("the Pareto frontier", ("pareto", "tradeoff", "trade-off")),
    "sweep": ("scenarios side by side", ("scenario", "scenarios", "sensitivity")),
    "risk": ("sample the uncertain figures", ("simulate", "monte-carlo", "montecarlo")),
}


def the_command_meant(exc: Any, name: str, commands: Any) -> None:
    """ "No such command 'web'." with no command spelt near it: the command that does what
    the word names ("Did you mean 'serve' (the local web workbench)?"), as Click suggests
    `serve` for `server`. A near spelling Click found is kept."""
    if "Did you mean" in str(getattr(exc, "message", "")) or getattr(exc, "possibilities", None):
        return
    word = name.strip().lower()
    meant = [(c, what) for c, (what, words) in _COMMAND_WORDS.items() if word in words]
    if meant and meant[0][0] in commands:
        command, what = meant[0]
        exc.message = f"No such command {name!r}. Did you mean {command!r} ({what})?"


def in_the_files_words(exc: typer.BadParameter) -> None:
    """An option's value Typer converted with pydantic (an int, a float, a bound) failed
    in pydantic's words ("Input should be a valid integer, unable to parse string as an
    integer"): say it as a file's field of that type is said ("expected a whole number,
    got 'abc'"). Typer before 0.2x says click's words, which are the user's already."""
    from pydantic import ValidationError

    from dealbench.model.error_words import value_said

    if isinstance(exc.__cause__, ValidationError):
        errors = exc.__cause__.errors(include_url=False)
        exc.message = "; ".join(dict.fromkeys(value_said(error) for error in errors))


def said_as_an_error(exc: typer.BadParameter) -> bool:
    """An option's or argument's value refused (`--jobs abc`, `--out ""`): say it in the
    form every other refused value takes, `error: --jobs: expected a whole number, got
    'abc'`, one line on stderr (the caller exits 2). Click said it under its usage box
    ("Usage: ... Try '... -h' for help. Error: Invalid value for '--jobs' / '-j': ..."),
    while `--jobs 0`, refused by the library call, said `error: --jobs: expected at least
    1, got 0`. A missing option keeps Click's box, which shows how the command is called.
    False (nothing said) where there is no parameter to name."""
    import sys

    param = getattr(exc, "param", None)
    if type(exc).__name__ == "MissingParameter" or param is None:
        return False
    if param.param_type_name == "option":
        opts = [*param.opts, *param.secondary_opts]
        name = max(opts, key=lambda opt: (opt.startswith("--"), len(opt)))
    else:  # an argument: as its help names it (`DEALS_DIR`)
        name = (param.metavar or param.name or "").strip("[]{}").upper()
    print(f"error: {name}: {exc.message}", file=sys.stderr)
    return True


#: Where `cli.base._Commands` keeps the words a command was given, after its name, for
#: `misplaced` (Click's errors carry the command's context, not its line).
_GIVEN = "dealbench.given"


def remember_arguments(ctx: Any, args: list[str]) -> None:
    """Keep the words after the command's name (`ctx.meta` is shared with the command's
    own context, which Click's errors carry)."""
    ctx.meta[_GIVEN] = list(args)


def misplaced(exc: Any) -> None:
    """Click's "Missing option" or "Got unexpected extra argument" where the user gave as an
    argument what this command takes as an option: a portfolio (`portfolio_given_first`)
    or a partner code (`partner_given_as_argument`). One place for every command."""
    if isinstance(exc, typer.BadParameter):
        portfolio_given_first(exc)
        portfolio_to_give(exc)
    partner_given_as_argument(exc)
    set_given_apart(exc)


def _arguments(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "argument"]


def _metavars(ctx: Any) -> str:
    return " ".join(p.metavar or (p.name or "").upper() for p in _arguments(ctx.command))


def _how_taken(ctx: Any, what: str, option: str, example: str) -> str:
    """`offer takes PORTFOLIO as its argument and the partner as --partner (dealbench offer
    ...)`: how this command takes what was given in the wrong place, with the line that
    runs it."""
    arguments = _arguments(ctx.command)
    plural = "s" if len(arguments) > 1 else ""
    name = ctx.command.name
    return (
        f"{name} takes {_metavars(ctx)} as its argument{plural} and {what} as {option} "
        f"(dealbench {name} {example})"
    )


def partner_given_as_argument(exc: Any) -> None:
    """A partner code given as an argument (`offer deals/portfolios/gulf-asia.yaml AE`,
    `counter PORTFOLIO FILE AE`) to a command that takes it as `--partner`: Click said
    "Missing option '--partner' / '-p'" or "Got unexpected extra argument(s) (AE)", and
    not where the code goes. Say it, with the line that runs: the words as given, the
    code moved to `--partner`. A word that names a file is never taken for a code."""
    import re
    import shlex

    ctx = getattr(exc, "ctx", None)
    if ctx is None or _GIVEN not in ctx.meta:
        return
    option = next((p for p in ctx.command.params if "--partner" in getattr(p, "opts", ())), None)
    if option is None:
        return
    if type(exc).__name__ == "MissingParameter":
        wrong_place = getattr(exc, "param", None) is option
    else:  # a stray word: taken for a code only where no partner was given
        stray = "unexpected extra argument" in str(getattr(exc, "message", ""))
        wrong_place = stray and ctx.params.get(option.name or "") is None
    if not wrong_place:
        return
    given: list[str] = ctx.meta[_GIVEN]
    for index in _positionals(ctx.command, given):
        word = given[index]
        if index >= 2 and given[index - 2] == "--set":  # `--set PATH VALUE`: `set_given_apart`
            continue
        if re.fullmatch(r"[A-Za-z]{2,3}", word) and not Path(word).exists():
            code = word.upper()
            rest = shlex.join([*given[:index], *given[index + 1 :]])
            said = "" if type(exc).__name__ == "MissingParameter" else exc.message + ". "
            exc.message = f"{said}{word} is a partner code, given as an argument: " + _how_taken(
                ctx, "the partner", "--partner", f"{rest} --partner {code}"
            )
            return


def set_given_apart(exc: Any) -> None:
    """`--set partners.AE.batna 3bn` (or `... = 3bn`), the value apart from its path: Click
    took `3bn` for an argument, "Got unexpected extra argument(s) (3bn)", which says
    nothing of `--set`. Say how it takes them: one word, PATH=VALUE."""
    ctx = getattr(exc, "ctx", None)
    message = str(getattr(exc, "message", ""))
    if ctx is None or _GIVEN not in ctx.meta or "unexpected extra argument" not in message:
        return
    given: list[str] = ctx.meta[_GIVEN]
    loose = set(_positionals(ctx.command, given))
    for index, word in enumerate(given[:-2]):
        path, value = given[index + 1], given[index + 2 :]
        if word != "--set" or "=" in path or index + 2 not in loose:
            continue
        value = value[1:2] if value[0] == "=" else value[:1]
        together = f"{path}={''.join(value).removeprefix('=')}"
        exc.message = (
            f"{message}. --set takes a path and its value as one word, PATH=VALUE, with no "
            f"space: --set {together}"
        )
        return


def _takes_value(command: Any) -> set[str]:
    """The names of the options of `command` that take a value (`--partner`, `-p`)."""
    return {
        name
        for p in command.params
        if p.param_type_name == "option"
        and not getattr(p, "is_flag", False)
        and not getattr(p, "count", False)
        for name in p.opts
    }


def option_as_value(command: Any, ctx: Any, words: list[str]) -> None:
    """An option given where another option's value belongs (`solve PF --out --json`, the
    folder left out): Click took `--json` for the value and wrote 15 files into a folder
    called "--json" (`frontier PF --partner --json`: "partner '--JSON' is not in
    portfolio"). Refuse it before the command runs, in the form every refused value
    takes, on stderr, exit 2. A value that is meant to look like an option is written
    joined, `--note=--json`. An option that takes a value given last, none after it
    (`frontier PF --partner`), is said in the same form, `error: --partner: expected its
    value`, where Click said "Option '--partner' requires an argument"."""
    import sys
    from itertools import pairwise

    takes_value = _takes_value(command)
    names = {name for p in command.get_params(ctx) for name in (*p.opts, *p.secondary_opts)}
    for word, after in pairwise([*words, None]):
        if word == "--":
            return
        if word not in takes_value:
            continue
        if after is None:
            print(f"error: {word}: expected its value", file=sys.stderr)
            raise typer.Exit(2)
        if after.split("=", 1)[0] in names:
            print(
                f"error: {word}: expected its value, got the option {after.split('=', 1)[0]}; "
                f"write the value right after {word}",
                file=sys.stderr,
            )
            raise typer.Exit(2)


def _positionals(command: Any, words: list[str]) -> list[int]:
    """The indexes of the words Click reads as arguments, not options or their values."""
    takes_value = _takes_value(command)
    found: list[int] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return found + list(range(index + 1, len(words)))
        if word.startswith("-") and word != "-":
            if word in takes_value:  # `--partner AE`, `-p AE`: its value is the next word
                index += 1
        else:
            found.append(index)
        index += 1
    return found


def portfolio_given_first(exc: typer.BadParameter) -> None:
    """`--portfolio` missing where a file given as an argument is the portfolio: `evaluate
    deals/portfolios/gulf-asia.yaml ae-counter.yaml`, as `offer`, `counter` and `room` take
    the portfolio first, said only "Missing option '--portfolio'". Say which file it is and
    how this command takes it. (Duck-typed: Typer's own click or click itself raises it.)"""
    from dealbench.errors import DealbenchError
    from dealbench.model.file_kind import detect_kind
    from dealbench.model.yamlio import read_yaml

    ctx = exc.ctx
    opts = getattr(exc.param, "opts", ())
    if type(exc).__name__ != "MissingParameter" or "--portfolio" not in opts or ctx is None:
        return
    for param in _arguments(ctx.command):
        value = ctx.params.get(param.name or "")
        if not isinstance(value, Path):
            continue
        try:
            if detect_kind(read_yaml(value)) != "portfolio":
                continue
        except (OSError, DealbenchError):
            continue
        exc.message = f"{value} is a portfolio: " + _how_taken(
            ctx, "the portfolio", "--portfolio", f"{_metavars(ctx)} --portfolio {value}"
        )
        return


#: The portfolio an example names where a command's help names none.
_EXAMPLE_PORTFOLIO = "deals/portfolios/gulf-asia.yaml"


def portfolio_to_give(exc: typer.BadParameter) -> None:
    """`--portfolio` missing, and no argument was the portfolio (`portfolio_given_first`):
    `evaluate PACKAGE` said only "Missing option '--portfolio'", not which portfolio nor
    where one is. Say what it is, as the option's help does ("the portfolio the package
    belongs to"), with the shipped example of the command's help and the line that runs:
    the words as given and `--portfolio` with it."""
    import re
    import shlex

    ctx = exc.ctx
    param = exc.param
    opts = getattr(param, "opts", ())
    if type(exc).__name__ != "MissingParameter" or "--portfolio" not in opts or ctx is None:
        return
    if exc.message:  # said already (a portfolio given as an argument)
        return
    what = (getattr(param, "help", None) or "The portfolio.").strip().rstrip(".")
    found = re.search(r"--portfolio (\S+)", ctx.command.epilog or "")
    example = found.group(1) if found else _EXAMPLE_PORTFOLIO
    given = shlex.join(ctx.meta.get(_GIVEN, []))
    line = " ".join(w for w in ("dealbench", ctx.command.name, given) if w)
    exc.message = (
        f"Give {what[:1].lower()}{what[1:]}, such as the shipped example {example}: "
        f"{line} --portfolio {example}"
    )
