"""`docker pull` says `Already exists` for a layer the store has (moby distribution/pull_v2.go:
the layer is not downloaded again), `Pull complete` for the others."""
from layerlab import Engine
from layerlab.cli import run


def test_second_image_on_the_same_base_reuses_its_layer():
    eng = Engine()
    code, out, _ = run("docker pull nginx:alpine", eng)
    assert code == 0 and "Already exists" not in out.decode()
    code, out, _ = run("docker pull alpine:3.19", eng)       # alpine's only layer is nginx's base
    lines = out.decode().splitlines()
    base = eng.image("alpine:3.19").diff_ids[0].split(":", 1)[1][:12]
    assert f"{base}: Already exists " in lines
    assert not any("Pull complete" in ln for ln in lines)


def test_run_pulls_with_the_same_rule():
    eng = Engine()
    run("docker pull alpine:3.19", eng)
    code, out, err = run("docker run --rm nginx:alpine true", eng)
    text = err.decode()
    assert "Unable to find image 'nginx:alpine' locally" in text
    assert text.count("Already exists") == 1 and text.count("Pull complete") == 6
