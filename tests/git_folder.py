"""A test's articles folder under git, as a shop that keeps its articles as code has it."""
import subprocess


def committed(folder) -> list[str]:
    """``git init`` in ``folder`` and everything in it committed; the git command for it
    (author ``t``), for the test's own commits and logs."""
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return git
