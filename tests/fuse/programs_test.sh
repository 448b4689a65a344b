#!/usr/bin/env bash
# Real programs on a mount from `chainfs up`, each checked against what it wrote.
chainfs=$1
source "$(dirname "$0")/lib.sh"
start_cluster
cd "$mnt"

copy_tree() {
  cp -a "$SOURCE_TREE" tree && diff -r "$SOURCE_TREE" tree
}
check "cp -a and diff -r of a source tree" copy_tree

tar_round_trip() {
  tar cf archive.tar -C "$SOURCE_TREE" . && mkdir untarred && tar xf archive.tar -C untarred &&
    diff -r "$SOURCE_TREE" untarred && tar cf "$work/back.tar" -C untarred . &&
    tar xf "$work/back.tar" -C "$work" --one-top-level=back && diff -r "$SOURCE_TREE" "$work/back"
}
check "tar create and extract" tar_round_trip

git_round_trip() {
  mkdir repo && cd repo && git init -q && git config user.email t@example.com &&
    git config user.name test && cp -a "$SOURCE_TREE" src && git add . &&
    git commit -qm first && echo more >>src/README.extra && git add . && git commit -qm second &&
    cd .. && git clone -q repo clone && git -C clone fsck --strict 2>&1 &&
    git -C repo fsck --strict 2>&1 && diff -r repo/src clone/src &&
    [[ $(git -C clone log --oneline | wc -l) -eq 2 ]]
}
check "git init, commit, clone and fsck" git_round_trip

sqlite_transactions() {
  sqlite3 db.sqlite "create table t(k integer primary key, v text);" &&
    for i in $(seq 1 200); do echo "begin; insert into t(v) values('row $i'); update t set v = v || '!' where k = $(( (i + 1) / 2 )); commit;"; done | sqlite3 db.sqlite &&
    [[ $(sqlite3 db.sqlite "select count(*) from t;") -eq 200 ]] &&
    [[ $(sqlite3 db.sqlite "pragma integrity_check;") == ok ]] &&
    [[ $(sqlite3 db.sqlite "select v from t where k = 1;") == "row 1!!" ]]
}
check "sqlite3 with many transactions" sqlite_transactions

python_io() {
  python3 - <<'PY'
import hashlib, os, random
random.seed(7)
data = bytes(random.getrandbits(8) for _ in range(3 << 20))
with open("py.bin", "wb") as f:
    f.write(data)
with open("py.bin", "r+b") as f:
    f.seek(1 << 20)
    f.write(b"x" * 1000)
    f.seek(0, os.SEEK_END)
    f.write(b"tail")
expected = bytearray(data)
expected[1 << 20:(1 << 20) + 1000] = b"x" * 1000
expected += b"tail"
with open("py.bin", "rb") as f:
    got = f.read()
assert got == bytes(expected), "python read back different bytes"
assert os.path.getsize("py.bin") == len(expected)
PY
}
check "python reading and writing" python_io

# Read-ahead: sequential reads of several sizes, readers side by side, and a write through
# one handle seen by the next read of a handle that had read ahead past it.
sequential_reads() {
  head -c $((40 << 20)) /dev/urandom >"$work/big" && cp "$work/big" big && sync &&
    echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
  for bs in 4k 128k 1M 3M; do
    dd if=big bs=$bs status=none | cmp - "$work/big" || return 1
  done
  (cmp big "$work/big") & local one=$!
  (cmp big "$work/big") & local two=$!
  wait $one && wait $two || return 1
  python3 - <<'PY'
import os
f = os.open("big", os.O_RDWR)
first = os.pread(f, 1 << 20, 0)            # sequential: a window is read ahead
second = os.pread(f, 1 << 20, 1 << 20)
os.pwrite(f, b"z" * 4096, (2 << 20) + 100)  # inside what was read ahead
back = os.pread(f, 1 << 20, 2 << 20)
assert back[100:4196] == b"z" * 4096, "a read served bytes older than the handle's write"
os.close(f)
PY
}
check "sequential reads through read-ahead" sequential_reads

fio_verify() {
  fio --name=verify --directory="$mnt" --rw=randwrite --bs=64k --size=32m --numjobs=4 \
    --verify=crc32c --verify_fatal=1 --do_verify=1 --ioengine=psync --runtime=60 \
    --group_reporting >"$work/fio.out" 2>&1 || { cat "$work/fio.out" >&2; return 1; }
  ! grep -q "verify:.*bad" "$work/fio.out"
}
check "fio --verify=crc32c with 4 jobs" fio_verify

mmap_io() {
  python3 - <<'PY'
import mmap, os
size = 3 * (1 << 20) + 123
with open("mapped.bin", "wb") as f:
    f.truncate(size)
with open("mapped.bin", "r+b") as f:
    m = mmap.mmap(f.fileno(), size)
    for i in range(0, size, 4096):
        m[i:i + 8] = (i // 4096).to_bytes(8, "little")
    m.flush()
    m.close()
with open("mapped.bin", "rb") as f:
    data = f.read()
assert len(data) == size
for i in range(0, size, 4096):
    assert data[i:i + 8] == (i // 4096).to_bytes(8, "little"), f"page {i // 4096}"
with open("mapped.bin", "rb") as f:
    m = mmap.mmap(f.fileno(), size, prot=mmap.PROT_READ)
    assert m[4096:4104] == (1).to_bytes(8, "little")
PY
}
check "mmap writes and reads" mmap_io

sparse_file() {
  python3 - <<'PY'
import os
size = 5 << 30
offsets = [0, 1 << 20, (1 << 30) + 12345, (3 << 30) - 7, size - 4096]
with open("sparse.bin", "wb") as f:
    for o in offsets:
        f.seek(o)
        f.write(o.to_bytes(8, "little") * 512)
    f.truncate(size)
assert os.path.getsize("sparse.bin") == size
with open("sparse.bin", "rb") as f:
    for o in offsets:
        f.seek(o)
        assert f.read(4096) == o.to_bytes(8, "little") * 512, f"offset {o}"
    f.seek(2 << 30)
    assert f.read(1 << 20) == bytes(1 << 20), "a hole read back non-zero"
PY
}
check "sparse 5 GiB file" sparse_file

append_two_writers() {
  for w in a b; do
    (for i in $(seq 1 200); do printf '%s%04d\n' "$w" "$i" >>appended.txt; done) &
  done
  wait
  [[ $(wc -l <appended.txt) -eq 400 ]] && [[ $(grep -c '^a' appended.txt) -eq 200 ]] &&
    [[ $(sort -u appended.txt | wc -l) -eq 400 ]] && ! grep -qv '^[ab][0-9]\{4\}$' appended.txt
}
check "O_APPEND from two processes" append_two_writers

names() {
  echo one >n1 && ln n1 n2 && [[ $(stat -c %h n1) -eq 2 ]] && ln -s n1 s1 &&
    [[ $(readlink s1) == n1 ]] && [[ $(cat s1) == one ]] && mv n1 n3 && [[ ! -e n1 ]] &&
    [[ ! -e s1 ]] && [[ $(cat n3) == one ]] && mkdir -p d1/d2 && mv n3 d1/d2/ &&
    [[ $(cat d1/d2/n3) == one ]] && ! mv d1 d1/d2/inside 2>/dev/null && rm n2 &&
    [[ $(stat -c %h d1/d2/n3) -eq 1 ]] && echo two >x && mv -f x d1/d2/n3 &&
    [[ $(ls -ai d1/d2 | awk '$2 == ".." {print $1}') == $(stat -c %i d1) ]] &&
    [[ $(cat d1/d2/n3) == two ]] && ! rmdir d1 2>/dev/null && rm -r d1 && [[ ! -e d1 ]]
}
check "rename, link and symlink" names

# A directory of several metadata pages (1,024 entries each), listed plainly and while each
# entry is stat'ed (which makes the kernel ask for attributes in the middle of the listing):
# every name exactly once, each time.
big_listing() {
  mkdir many && python3 - <<'PY'
import os
names = {f"n{i:05d}" for i in range(2500)}
for n in names:
    os.close(os.open(f"many/{n}", os.O_CREAT | os.O_WRONLY, 0o644))
for with_stat in (False, True, False):
    seen = []
    for e in os.scandir("many"):
        seen.append(e.name)
        if with_stat:
            assert e.stat(follow_symlinks=False).st_size == 0
    assert len(seen) == len(set(seen)) == len(names) and set(seen) == names, \
        f"listed {len(seen)} names, {len(set(seen))} distinct"
# Opened without O_DIRECTORY (as for an fsync), the listing fetches its first page itself.
fd = os.open("many", os.O_RDONLY)
try:
    listed = os.listdir(fd)
    assert len(listed) == len(names) and set(listed) == names, f"listed {len(listed)} names"
finally:
    os.close(fd)
PY
  [[ $(ls -f many | wc -l) -eq 2502 ]] && [[ $(ls -l many | grep -c '^-') -eq 2500 ]]
}
check "listing a directory of several pages" big_listing

# rewinddir shows the directory as it is then, not as it was when it was opened: here after
# a listing kept whole (the second) and after a fresh one.
rewound_listing() {
  mkdir rewound && touch rewound/a && ls rewound >/dev/null && perl -e '
    sub names { my $d = shift; join(" ", sort grep { !/^\.\.?$/ } readdir($d)) }
    opendir(my $d, "rewound") or die "opendir: $!";
    my $first = names($d);
    open(my $f, ">", "rewound/b") or die "create: $!";
    close($f);
    unlink("rewound/a") or die "unlink: $!";
    rewinddir($d);
    my $second = names($d);
    mkdir("rewound/c") or die "mkdir: $!";
    rewinddir($d);
    my $third = names($d);
    exit(!($first eq "a" && $second eq "b" && $third eq "b c"));'
}
check "rewinddir lists the directory anew" rewound_listing

# Statahead: after a program has looked up many names of one directory, the daemon answers
# lookups from a listing it fetched. Changes made through the mount must show at once, even
# when the kernel has forgotten its own entries (dropped here, as root) and asks again.
statahead_changes() {
  mkdir ahead && python3 - <<'PY'
import os
def forget():
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("2")
    except OSError:
        pass
def stat_all():
    forget()
    return {n: os.stat(f"ahead/{n}") for n in sorted(os.listdir("ahead"))}
for i in range(300):
    os.close(os.open(f"ahead/f{i:03d}", os.O_CREAT | os.O_WRONLY, 0o644))
assert len(stat_all()) == 300
with open("ahead/f010", "w") as f:
    f.write("x" * 1234)
os.unlink("ahead/f020")
os.chmod("ahead/f030", 0o600)
os.rename("ahead/f040", "ahead/g040")
os.link("ahead/f050", "ahead/h050")
with open("ahead/f060", "a") as f:
    f.write("y" * 77)
    f.flush()
    forget()
    assert os.stat("ahead/f060").st_size == 77
os.truncate("ahead/f010", 1000)
forget()
assert os.stat("ahead/f010").st_size == 1000
assert not os.path.exists("ahead/f020")
assert os.stat("ahead/f030").st_mode & 0o777 == 0o600
assert not os.path.exists("ahead/f040") and os.path.exists("ahead/g040")
assert os.stat("ahead/f050").st_nlink == 2
after = stat_all()
assert len(after) == 300 and after["f060"].st_size == 77, len(after)
PY
}
check "statahead never hides the mount's own changes" statahead_changes

permissions() {
  mkdir private shared && chmod 700 private && echo secret >private/f && chmod 1777 shared &&
    echo mine >shared/rootfile && chmod 644 shared/rootfile &&
    ! runuser -u nobody -- cat private/f 2>/dev/null &&
    ! runuser -u nobody -- sh -c 'echo x > shared/rootfile' 2>/dev/null &&
    ! runuser -u nobody -- rm -f shared/rootfile 2>/dev/null && [[ -e shared/rootfile ]] &&
    runuser -u nobody -- sh -c 'echo hi > shared/theirs' &&
    [[ $(stat -c %U shared/theirs) == nobody ]] && runuser -u nobody -- cat shared/rootfile >/dev/null
}
check "permission checks as another user" permissions

xattrs() {
  echo x >xf && setfattr -n user.color -v blue xf && [[ $(getfattr --only-values -n user.color xf) == blue ]] &&
    setfattr -n user.size -v 42 xf && getfattr -d xf | grep -q 'user.size="42"' &&
    setfattr -x user.color xf && ! getfattr -n user.color xf 2>/dev/null
}
check "setfattr and getfattr" xattrs

acls() {
  mkdir acl && setfacl -m u:nobody:rwx acl && setfacl -d -m u:nobody:rw acl &&
    getfacl -p acl | grep -q '^user:nobody:rwx' && getfacl -p acl | grep -q '^default:user:nobody:rw-' &&
    touch acl/child && getfacl -p acl/child | grep -q '^user:nobody:rw-' &&
    echo top >aclfile && chmod 600 aclfile && ! runuser -u nobody -- cat aclfile 2>/dev/null &&
    setfacl -m u:nobody:r aclfile && runuser -u nobody -- cat aclfile >/dev/null
}
check "setfacl and getfacl with default ACLs" acls

flocks() {
  touch lockfile
  flock lockfile sleep 2 &
  local holder=$!
  sleep 0.5
  ! flock -n lockfile true && flock -w 10 lockfile true && wait $holder
}
check "flock contention between two processes" flocks

fallocation() {
  fallocate -l 3M falloc.bin && [[ $(stat -c %s falloc.bin) -eq 3145728 ]] &&
    head -c 3145728 /dev/urandom >falloc.bin && fallocate -p -o 1048576 -l 1048576 falloc.bin &&
    [[ $(stat -c %s falloc.bin) -eq 3145728 ]] &&
    cmp -s <(dd if=falloc.bin bs=1M skip=1 count=1 status=none) <(head -c 1048576 /dev/zero) &&
    fallocate -p -o 100 -l 50 falloc.bin &&
    cmp -s <(dd if=falloc.bin bs=1 skip=100 count=50 status=none) <(head -c 50 /dev/zero) &&
    [[ $(dd if=falloc.bin bs=1 skip=99 count=1 status=none | wc -c) -eq 1 ]]
}
check "fallocate including punch hole" fallocation

unlinked_open() {
  python3 - <<'PY'
import os
with open("doomed", "w") as f:
    f.write("still here")
fd = os.open("doomed", os.O_RDONLY)
os.unlink("doomed")
assert not os.path.exists("doomed")
assert os.pread(fd, 100, 0) == b"still here"
os.close(fd)
PY
}
check "an unlinked open file stays readable" unlinked_open

copy_range() {
  head -c 5000000 /dev/urandom >cfr.src &&
    python3 -c "
import os
s = os.open('cfr.src', os.O_RDONLY); d = os.open('cfr.dst', os.O_WRONLY | os.O_CREAT, 0o644)
n = 0
while n < 5000000:
    got = os.copy_file_range(s, d, 5000000 - n)
    assert got > 0
    n += got
" && cmp cfr.src cfr.dst
}
check "copy_file_range" copy_range

statfs_capacity() {
  [[ $(stat -f -c %b "$mnt") -gt 0 ]] && [[ $(stat -f -c %T "$mnt") == fuseblk || $(stat -f -c %T "$mnt") == fuse* ]]
}
check "statfs reports capacity" statfs_capacity

# `chainfs status` totals the same space statfs reports.
status_capacity() {
  local line
  line=$("$chainfs" status --config "$dir/admin.toml" | grep '^capacity: ') &&
    [[ $line =~ ^capacity:\ ([0-9.]+)\ GiB ]] &&
    python3 -c "
import os, sys
s = os.statvfs(sys.argv[1])
total = s.f_blocks * s.f_frsize / 2**30
sys.exit(0 if abs(total - float(sys.argv[2])) <= max(0.2, 0.01 * total) else 1)
" "$mnt" "${BASH_REMATCH[1]}"
}
check "chainfs status totals the capacity" status_capacity

echo "$checks checks passed"
