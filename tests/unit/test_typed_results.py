"""What the Engine hands the CLI and the notebooks is a value with fields, never text to parse:
daemon errors carry their category, operation and names; prunes and image deletes return the
API's documents (the CLI only formats them)."""
from __future__ import annotations

import pytest

from layerlab import Engine
from layerlab.errors import Conflict, NotFound


@pytest.fixture
def eng(busybox_tar):
    e = Engine()
    e.import_tar(busybox_tar, "bb:1")
    return e


def test_daemon_errors_name_their_operation_and_objects(eng):
    with pytest.raises(NotFound) as exc:
        eng.container("nope")
    assert (exc.value.category, exc.value.operation, exc.value.names) == ("not found", "container", ("nope",))
    with pytest.raises(NotFound) as exc:
        eng.image("missing:1")
    assert exc.value.operation == "image" and exc.value.names == ("missing:1",)
    c = eng.run("bb:1", ["sleep", "3600"], detach=True, name="web")
    with pytest.raises(Conflict) as exc:
        eng.rm("web")
    assert exc.value.operation == "rm" and exc.value.names == ("web",)
    with pytest.raises(Conflict) as exc:
        eng.create("bb:1", ["true"], name="web")
    assert exc.value.operation == "create" and exc.value.names == ("web", c.id)
    with pytest.raises(Conflict) as exc:
        eng.rmi(eng.image("bb:1").id)
    assert exc.value.operation == "rmi" and exc.value.names[1] == c.id
    eng.volume_create("data")
    eng.run("bb:1", ["true"], volumes=["data:/data"], name="user")
    with pytest.raises(Conflict) as exc:
        eng.volume_rm("data")
    assert exc.value.operation == "volume rm" and exc.value.names == ("data", eng.container("user").id)
    assert str(exc.value).startswith("remove data: volume is in use")     # docker's text unchanged


def test_prunes_return_the_api_documents(eng):
    a = eng.run("bb:1", ["sh", "-c", "echo hi > /f"], name="ca")
    eng.run("bb:1", ["sleep", "3600"], detach=True, name="cb")
    report = eng.container_prune()
    assert report == {"ContainersDeleted": [a.id], "SpaceReclaimed": 3}
    assert [c.name for c in eng.ps(all=True)] == ["cb"]

    built = eng.build("FROM bb:1\nRUN echo x > /x\n", {}, tag="x:1").image
    eng.tag("x:1", "x:2")
    eng.rmi("x:1")
    eng.rmi("x:2")          # untagged twice over: the image is gone, nothing dangling
    dangling = eng.build("FROM bb:1\nRUN echo y > /y\n", {}, tag="y:1").image
    eng.build("FROM bb:1\nRUN echo z > /z\n", {}, tag="y:1")     # y:1 moves: the old one dangles
    report = eng.image_prune()
    assert report["ImagesDeleted"][0] == {"Deleted": dangling.id}
    assert all(set(item) <= {"Deleted", "Untagged"} for item in report["ImagesDeleted"])
    assert report["SpaceReclaimed"] == 2                          # "y\n"
    assert eng.find_image(dangling.id) is None and eng.find_image(built.id) is None


def test_rmi_lines_are_the_delete_items(eng):
    eng.build("FROM bb:1\nRUN echo x > /x\n", {}, tag="x:1")
    items = eng.image_delete("x:1")
    assert items[0] == {"Untagged": "x:1"} and list(items[1]) == ["Deleted"]
