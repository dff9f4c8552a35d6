// SPDX-License-Identifier: MIT
// A program with a bug for gdb on its replay (gdb.sh): renaming an account overflows its
// name into its balance, which a deposit had set. Built with -g -O0, so that gdb finds
// its functions, lines and locals.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct account {
    char name[8];
    long balance;
};

static struct account savings = {"alice", 100};

static void deposit(struct account *account, long amount) {
    long before = account->balance;
    account->balance = before + amount;
}

static void rename_account(struct account *account, const char *name) {
    strcpy(account->name, name); // the bug: a long name runs into the balance
}

int main(void) {
    deposit(&savings, 5);
    static const char line[] = "deposited\n";
    write(STDOUT_FILENO, line, sizeof line - 1);
    const char *volatile longer = "alice-and-bob"; // not a constant: no compiler warning
    rename_account(&savings, longer);
    printf("%s has %ld\n", savings.name, savings.balance);
    return 0;
}
