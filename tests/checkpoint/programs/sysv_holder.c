// SPDX-License-Identifier: MIT
// A checkpoint test workload a capture must refuse: it holds a System V shared memory
// attachment (the host kernel's object, outside any image). Says "attached", waits for a
// file "sysv.go" in its working directory, then detaches, removes the segment and says
// "detached".
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

int main(void) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    char *memory = id < 0 ? (char *)-1 : shmat(id, NULL, 0);
    if (memory == (char *)-1) {
        perror("sysv_holder");
        return 1;
    }
    strcpy(memory, "held");
    printf("attached\n");
    fflush(stdout);
    while (access("sysv.go", F_OK) != 0)
        usleep(50 * 1000);
    int ok = strcmp(memory, "held") == 0 && shmdt(memory) == 0 && shmctl(id, IPC_RMID, NULL) == 0;
    printf(ok ? "detached\n" : "lost\n");
    return ok ? 0 : 1;
}
