# For checkpoint.reaped_child: holds the guest's thread just after the host's waitid that
# reaps its child returns (WNOWAIT not set, a report returned), and lets its other threads
# run, so that a capture's freeze finds it between the reap and the handle's release.
set pagination off
set confirm off
handle all nostop noprint pass
catch syscall waitid
condition 1 $rax == 0 && ($r10 & 0x1000000) == 0
commands 1
  python
held = gdb.selected_thread()
for thread in gdb.selected_inferior().threads():
    if thread.num != held.num and thread.is_stopped():
        thread.switch()
        gdb.execute("continue &")
held.switch()
print("held thread", held.ptid[1], "after the reap", flush=True)
  end
end
continue -a &
