// SPDX-License-Identifier: MIT
// FPU and vector state in the XSAVE standard format that bsc_cpu_context.xstate holds,
// and its conversion to and from the kernel's signal-frame layout.
#pragma once

#include <cstdint>

namespace bsc::host {

// Bytes of an XSAVE area for the features this CPU and kernel enable (CPUID 0xD).
uint32_t xstate_size();

// The XSAVE area size recorded in a kernel signal frame's FPU state (512 if the frame
// holds only the legacy FXSAVE image).
uint32_t xstate_size_in_frame(const void *fpregs);

// XCR0: the features an XSAVE area's header may name here.
uint64_t enabled_features();
// The MXCSR bits this CPU supports (FXSAVE's MXCSR_MASK).
uint32_t mxcsr_mask();

// Saves the calling thread's current state into area (64-byte aligned, xstate_size()).
void save_xstate(void *area);

// Turns an XSAVE area of `size` bytes (with room for 4 more) into what rt_sigreturn
// accepts: the software-reserved words and trailing magic set, reserved header bits
// cleared, so a guest cannot make the kernel refuse the frame.
void prepare_xstate_for_sigreturn(void *area, uint32_t size);

} // namespace bsc::host
