//! Procedural macros of the `pvm-guest` SDK. Use them through `pvm-guest`, which
//! re-exports them and documents the guest ABI as a whole.
//!
//! - [`macro@polkavm_export`] makes a `fn` (plain or `extern "C"`) callable by the host.
//! - [`macro@polkavm_import`] turns the functions of an `extern "C"` block into calls
//!   of host functions.
//!
//! The code they generate is byte-compatible with what `polkavm-derive` 0.37 emits, so
//! `polkavm-linker` 0.37 links programs built with either:
//!
//! - every export and import has a packed `ExternMetadataV1` (exports) or
//!   `ExternMetadataV2` (imports) record in the `.polkavm_metadata` section: `version:
//!   u8, flags: u32 = 0, symbol_length: u32, symbol: pointer, input_regs: u8,
//!   output_regs: u8` and, for V2, `has_index: bool, index: u32`;
//! - an export adds an entry to `.polkavm_exports`: the version byte `1`, then a pointer
//!   to its metadata and a pointer to its code. Both pointers are written as
//!   `auipc zero, %pcrel_hi(symbol)` (padded with `.4byte 0` on 64-bit targets) so that
//!   the object file carries `R_RISCV_PCREL_HI20` relocations, which the linker
//!   reinterprets as absolute pointers in that section;
//! - an import call is the custom instruction `.insn r 0xb, 0, 0, zero, zero, zero`
//!   directly followed by a pointer-sized slot relocated to the import's metadata; the
//!   linker replaces both with an `ecalli`.
//!
//! Arguments and results travel in registers: `u8`, `u16`, `u32`, `i8`, `i16`, `i32`,
//! `usize`, `isize`, `bool` and raw pointers take one register; `u64` and `i64` take
//! one register on 64-bit targets and two (low word first) on 32-bit targets. At most
//! six registers (`a0`..`a5`) carry arguments, and results come back in `a0`/`a1`.
//! Unsigned values are zero-extended to the register width, signed ones
//! sign-extended.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Error, ForeignItem, ForeignItemFn, Ident, ItemFn, ItemForeignMod, LitInt, Pat, ReturnType, Type,
};

/// The number of argument registers, `a0`..`a5`.
const MAX_INPUT_REGS: usize = 6;

/// The types the macros accept, for error messages.
const SUPPORTED_TYPES: &str =
    "u8, u16, u32, u64, i8, i16, i32, i64, usize, isize, bool, a raw pointer, or (import parameters only) &[u8], &mut [u8] or &str";

/// Makes a function callable by the host under its own name. A plain `fn` and an
/// `extern "C" fn` both work: the host calls a C-ABI trampoline that calls it.
///
/// ```ignore
/// #[pvm_guest::polkavm_export]
/// fn add(a: u32, b: u64) -> u64 {
///     u64::from(a) + b
/// }
/// ```
///
/// The function keeps its signature and can still be called from Rust. On PolkaVM
/// targets the macro adds a trampoline that converts the argument registers into the
/// parameters and the result back into `a0` (and `a1` for a `u64`/`i64` on 32-bit
/// targets), plus the export's metadata.
///
/// Parameters and the result may be `u8`, `u16`, `u32`, `u64`, `i8`, `i16`, `i32`,
/// `i64`, `usize`, `isize`, `bool` or raw pointers to sized types, using at most six
/// registers on 32-bit targets (where `u64` and `i64` take two). Generic, `const`,
/// `async` and variadic functions, and functions without `extern "C"`, are rejected.
#[proc_macro_attribute]
pub fn polkavm_export(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = TokenStream2::from(attr);
    let function = parse_macro_input!(item as ItemFn);
    match export(attr, &function) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            // Keep the function so that its callers do not add errors of their own.
            let error = error.to_compile_error();
            quote!(#error #function).into()
        }
    }
}

/// Turns the functions of an `extern "C"` block into calls of host functions.
///
/// ```ignore
/// #[pvm_guest::polkavm_import]
/// extern "C" {
///     /// Asks the host for a number.
///     fn get_third_number() -> u32;
///     #[polkavm_import(symbol = "log")]
///     fn log_message(pointer: *const u8, length: usize);
/// }
/// ```
///
/// Each function becomes an `unsafe fn` with the same signature. The host resolves an
/// import by its symbol, the function's name unless `#[polkavm_import(symbol =
/// "...")]` says otherwise; `#[polkavm_import(index = N)]` also gives it a fixed import
/// index (`polkavm-linker` 0.37 requires that either all or none of a program's imports
/// have an index). Argument and result types are those of [`macro@polkavm_export`].
///
/// On targets other than PolkaVM, the block is emitted unchanged as a plain `extern "C"`
/// block, so that host builds type-check.
#[proc_macro_attribute]
pub fn polkavm_import(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = TokenStream2::from(attr);
    let block = parse_macro_input!(item as ItemForeignMod);
    match import(attr, &block) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let error = error.to_compile_error();
            let passthrough = host_extern_block(&block);
            quote!(#error #passthrough).into()
        }
    }
}

/// The `cfg` predicate that selects the PolkaVM targets (RV32E/RV64E).
fn polkavm_cfg() -> TokenStream2 {
    quote!(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))
}

/// A register width; the generated code has one variant of everything per width.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Width {
    W32,
    W64,
}

impl Width {
    const ALL: [Width; 2] = [Width::W32, Width::W64];

    fn cfg(self) -> TokenStream2 {
        match self {
            Width::W32 => quote!(target_pointer_width = "32"),
            Width::W64 => quote!(target_pointer_width = "64"),
        }
    }

    /// The unsigned integer type of a register.
    fn reg(self) -> TokenStream2 {
        match self {
            Width::W32 => quote!(u32),
            Width::W64 => quote!(u64),
        }
    }

    /// The signed integer type of a register.
    fn signed_reg(self) -> TokenStream2 {
        match self {
            Width::W32 => quote!(i32),
            Width::W64 => quote!(i64),
        }
    }

    /// The padding that makes an `auipc` (4 bytes) fill a pointer-sized slot.
    fn pointer_padding(self) -> &'static str {
        match self {
            Width::W32 => "",
            Width::W64 => "\n.4byte 0",
        }
    }
}

/// How a supported type maps onto registers.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Unsigned(u32),
    Signed(u32),
    Usize,
    Isize,
    Bool,
    Pointer,
    /// `&[u8]`, `&mut [u8]` or `&str`: its address and length, in two registers
    /// (import parameters only).
    Slice,
}

/// A parameter or result type of an export or import.
struct AbiType {
    kind: Kind,
    ty: Type,
}

impl AbiType {
    fn parse(ty: &Type) -> syn::Result<AbiType> {
        let kind = Self::kind_of(ty)?;
        Ok(AbiType { kind, ty: ty.clone() })
    }

    fn kind_of(ty: &Type) -> syn::Result<Kind> {
        let unsupported = || Error::new(ty.span(), format!("unsupported type; expected {SUPPORTED_TYPES}"));
        match ty {
            Type::Paren(inner) => Self::kind_of(&inner.elem),
            Type::Group(inner) => Self::kind_of(&inner.elem),
            Type::Ptr(pointer) => match &*pointer.elem {
                Type::Slice(_) | Type::TraitObject(_) | Type::ImplTrait(_) => Err(Error::new(
                    pointer.elem.span(),
                    "pointers to unsized types are not supported (they take two words); pass the address and the length separately",
                )),
                Type::Path(path) if path.qself.is_none() && path.path.is_ident("str") => Err(Error::new(
                    pointer.elem.span(),
                    "pointers to unsized types are not supported (they take two words); pass the address and the length separately",
                )),
                _ => Ok(Kind::Pointer),
            },
            Type::Reference(reference) => {
                let is_bytes = matches!(&*reference.elem, Type::Slice(slice) if Self::kind_of(&slice.elem).ok() == Some(Kind::Unsigned(8)));
                let is_str = matches!(&*reference.elem, Type::Path(path) if path.qself.is_none() && path.path.is_ident("str"));
                if is_bytes || (is_str && reference.mutability.is_none()) {
                    Ok(Kind::Slice)
                } else {
                    Err(unsupported())
                }
            }
            Type::Path(path) if path.qself.is_none() => {
                // `u32`, or `core::primitive::u32` / `std::primitive::u32`.
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|segment| {
                        if segment.arguments.is_none() {
                            Ok(segment.ident.to_string())
                        } else {
                            Err(unsupported())
                        }
                    })
                    .collect::<syn::Result<_>>()?;
                let name = match segments.as_slice() {
                    [name] if path.path.leading_colon.is_none() => name,
                    [krate, primitive, name] if (krate == "core" || krate == "std") && primitive == "primitive" => name,
                    _ => return Err(unsupported()),
                };
                Ok(match name.as_str() {
                    "u8" => Kind::Unsigned(8),
                    "u16" => Kind::Unsigned(16),
                    "u32" => Kind::Unsigned(32),
                    "u64" => Kind::Unsigned(64),
                    "i8" => Kind::Signed(8),
                    "i16" => Kind::Signed(16),
                    "i32" => Kind::Signed(32),
                    "i64" => Kind::Signed(64),
                    "usize" => Kind::Usize,
                    "isize" => Kind::Isize,
                    "bool" => Kind::Bool,
                    _ => return Err(unsupported()),
                })
            }
            _ => Err(unsupported()),
        }
    }

    /// Whether the type is 64 bits wide on every target.
    fn is_64_bit(&self) -> bool {
        matches!(self.kind, Kind::Unsigned(64) | Kind::Signed(64))
    }

    /// How many registers the type takes.
    fn regs(&self, width: Width) -> usize {
        if self.kind == Kind::Slice || (width == Width::W32 && self.is_64_bit()) {
            2
        } else {
            1
        }
    }

    /// An expression that rebuilds a value of this type from its registers.
    fn decode(&self, width: Width, regs: &[Ident]) -> TokenStream2 {
        let ty = &self.ty;
        if width == Width::W32 && self.is_64_bit() {
            let (low, high) = (&regs[0], &regs[1]);
            return quote!(((#low as u64) | ((#high as u64) << 32)) as #ty);
        }
        let reg = &regs[0];
        match self.kind {
            Kind::Slice => unreachable!("slices are refused in results and exports"),
            Kind::Bool => quote!(#reg != 0),
            Kind::Pointer => quote!(#reg as usize as #ty),
            _ => quote!(#reg as #ty),
        }
    }

    /// The type with every path resolved from anywhere: the primitive's own name, or `_`
    /// for a pointer (whose pointee is only known in the caller's scope).
    fn anywhere(&self) -> AbiType {
        let ty: Type = match self.kind {
            Kind::Unsigned(8) => syn::parse_quote!(u8),
            Kind::Unsigned(16) => syn::parse_quote!(u16),
            Kind::Unsigned(32) => syn::parse_quote!(u32),
            Kind::Unsigned(_) => syn::parse_quote!(u64),
            Kind::Signed(8) => syn::parse_quote!(i8),
            Kind::Signed(16) => syn::parse_quote!(i16),
            Kind::Signed(32) => syn::parse_quote!(i32),
            Kind::Signed(_) => syn::parse_quote!(i64),
            Kind::Usize => syn::parse_quote!(usize),
            Kind::Isize => syn::parse_quote!(isize),
            Kind::Bool => syn::parse_quote!(bool),
            Kind::Pointer | Kind::Slice => syn::parse_quote!(_),
        };
        AbiType { kind: self.kind, ty }
    }

    /// Expressions for the registers that carry `value` (an identifier of this type).
    fn encode(&self, width: Width, value: &Ident) -> Vec<TokenStream2> {
        let reg = width.reg();
        if self.kind == Kind::Slice {
            return vec![quote!(#value.as_ptr() as usize as #reg), quote!(#value.len() as #reg)];
        }
        if width == Width::W32 && self.is_64_bit() {
            return vec![quote!(#value as u64 as u32), quote!((#value as u64 >> 32) as u32)];
        }
        let signed_reg = width.signed_reg();
        let expression = match self.kind {
            // Zero-extended.
            Kind::Unsigned(_) | Kind::Usize | Kind::Bool => quote!(#value as #reg),
            // Sign-extended.
            Kind::Signed(_) | Kind::Isize => quote!(#value as #signed_reg as #reg),
            Kind::Pointer => quote!(#value as usize as #reg),
            Kind::Slice => unreachable!("handled above"),
        };
        vec![expression]
    }
}

/// A function signature reduced to what crosses the host boundary.
struct Signature {
    params: Vec<AbiType>,
    result: Option<AbiType>,
}

impl Signature {
    /// Parses the parameter and result types of `sig`, combining every error.
    fn parse(sig: &syn::Signature, macro_name: &str) -> syn::Result<Signature> {
        let mut errors: Option<Error> = None;
        let mut push = |error: Error| match &mut errors {
            Some(errors) => errors.combine(error),
            None => errors = Some(error),
        };

        if let Some(constness) = &sig.constness {
            push(Error::new(constness.span(), format!("`const fn` is not supported by #[{macro_name}]")));
        }
        if let Some(asyncness) = &sig.asyncness {
            push(Error::new(asyncness.span(), format!("`async fn` is not supported by #[{macro_name}]")));
        }
        let generics = sig.generics.params.first().map(|param| param.span());
        if let Some(span) = generics.or_else(|| sig.generics.where_clause.as_ref().map(|clause| clause.span())) {
            push(Error::new(span, format!("generic functions are not supported by #[{macro_name}]")));
        }
        if let Some(variadic) = &sig.variadic {
            push(Error::new(variadic.span(), format!("variadic functions are not supported by #[{macro_name}]")));
        }

        let mut params = Vec::new();
        let mut regs_32 = 0;
        let mut too_many: Option<Span> = None;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(receiver) => {
                    push(Error::new(receiver.span(), format!("`self` parameters are not supported by #[{macro_name}]")))
                }
                syn::FnArg::Typed(param) => match AbiType::parse(&param.ty) {
                    Ok(abi_type) => {
                        regs_32 += abi_type.regs(Width::W32);
                        if regs_32 > MAX_INPUT_REGS {
                            let span = param.span();
                            too_many = Some(too_many.map_or(span, |first| first.join(span).unwrap_or(first)));
                        }
                        params.push(abi_type);
                    }
                    Err(error) => push(error),
                },
            }
        }
        if let Some(span) = too_many {
            push(Error::new(
                span,
                format!(
                    "`{}` needs {regs_32} argument registers on 32-bit targets, but only {MAX_INPUT_REGS} are \
                     available (`u64` and `i64` take two registers there)",
                    sig.ident
                ),
            ));
        }

        let result = match &sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => match &**ty {
                Type::Tuple(tuple) if tuple.elems.is_empty() => None,
                Type::Never(never) => {
                    push(Error::new(never.span(), format!("`!` results are not supported by #[{macro_name}]")));
                    None
                }
                ty => match AbiType::parse(ty) {
                    Ok(abi_type) if abi_type.kind == Kind::Slice => {
                        push(Error::new(ty.span(), "slices cannot be returned; return a pointer or a length"));
                        None
                    }
                    Ok(abi_type) => Some(abi_type),
                    Err(error) => {
                        push(error);
                        None
                    }
                },
            },
        };

        match errors {
            Some(errors) => Err(errors),
            None => Ok(Signature { params, result }),
        }
    }

    fn input_regs(&self, width: Width) -> usize {
        self.params.iter().map(|param| param.regs(width)).sum()
    }

    fn output_regs(&self, width: Width) -> usize {
        self.result.as_ref().map_or(0, |result| result.regs(width))
    }

    /// `if cfg!(32-bit) { a } else { b }` for a per-width register count.
    fn regs_by_width(&self, count: impl Fn(&Self, Width) -> usize) -> TokenStream2 {
        let regs_32 = count(self, Width::W32) as u8;
        let regs_64 = count(self, Width::W64) as u8;
        quote!(if ::core::cfg!(target_pointer_width = "32") { #regs_32 } else { #regs_64 })
    }
}

/// Checks that an ABI (`extern "..."`) is the C ABI; `extern` alone means C too.
fn check_c_abi(abi: Option<&syn::Abi>, span: Span, what: &str) -> syn::Result<()> {
    match abi {
        Some(syn::Abi { name: None, .. }) => Ok(()),
        Some(syn::Abi { name: Some(name), .. }) if name.value() == "C" => Ok(()),
        Some(syn::Abi { name: Some(name), .. }) => Err(Error::new(
            name.span(),
            format!("{what} must use the C ABI (`extern \"C\"`), not `extern {:?}`", name.value()),
        )),
        None => Err(Error::new(span, format!("{what} must be an `extern \"C\" fn`"))),
    }
}

fn check_no_arguments(attr: &TokenStream2, macro_name: &str) -> syn::Result<()> {
    if attr.is_empty() {
        Ok(())
    } else {
        Err(Error::new(attr.span(), format!("#[{macro_name}] takes no arguments")))
    }
}

/// The definition of the packed metadata record, shared by exports (V1) and imports (V2).
fn metadata_struct(name: &Ident, with_index: bool) -> TokenStream2 {
    let index_fields = with_index.then(|| quote!(has_index: bool, index: u32,));
    quote! {
        #[repr(C, packed)]
        struct #name {
            version: u8,
            flags: u32,
            symbol_length: u32,
            symbol: *const u8,
            input_regs: u8,
            output_regs: u8,
            #index_fields
        }

        // SAFETY: the record is immutable, and its pointer refers to a `'static` byte string.
        unsafe impl ::core::marker::Sync for #name {}
    }
}

fn export(attr: TokenStream2, function: &ItemFn) -> syn::Result<TokenStream2> {
    check_no_arguments(&attr, "polkavm_export")?;
    let sig = &function.sig;
    // The host calls a C-ABI trampoline, which calls the function as Rust: a plain
    // `fn` is fine (as the seed writes exports), and so is an `extern "C" fn`.
    let abi_error = match &sig.abi {
        None => Ok(()),
        Some(abi) => check_c_abi(Some(abi), abi.span(), "an exported function"),
    };
    let signature = Signature::parse(sig, "polkavm_export").and_then(|signature| {
        match sig.inputs.iter().zip(&signature.params).find(|(_, param)| param.kind == Kind::Slice) {
            Some((input, _)) => Err(Error::new(
                input.span(),
                "slices are supported in imports only; an export takes the address and the length",
            )),
            None => Ok(signature),
        }
    });
    let signature = match (abi_error, signature) {
        (Ok(()), Ok(signature)) => signature,
        (Err(mut first), Err(second)) => {
            first.combine(second);
            return Err(first);
        }
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };

    let name = &sig.ident;
    let polkavm = polkavm_cfg();
    let cfgs: Vec<_> = function.attrs.iter().filter(|attr| attr.path().is_ident("cfg")).collect();
    let symbol = name.unraw().to_string();
    let symbol_literal = syn::LitByteStr::new(symbol.as_bytes(), name.span());
    let symbol_length = symbol.len() as u32;
    let section = format!(".text.polkavm_export.{symbol}");
    let input_regs = signature.regs_by_width(Signature::input_regs);
    let output_regs = signature.regs_by_width(Signature::output_regs);
    let metadata_type = format_ident!("__PvmGuestExternMetadataV1");
    let metadata_struct = metadata_struct(&metadata_type, false);
    let trampolines = Width::ALL.map(|width| export_trampoline(width, name, &signature, &section));
    let entries = Width::ALL.map(|width| {
        let cfg = width.cfg();
        let padding = width.pointer_padding();
        let metadata = format!("auipc zero, %pcrel_hi({{metadata}}){padding}");
        let code = format!("auipc zero, %pcrel_hi({{function}}){padding}");
        quote! {
            #[cfg(#cfg)]
            ::core::arch::global_asm!(
                ".pushsection .polkavm_exports,\"Ra\",@note",
                // The entry's version.
                ".byte 1",
                #metadata,
                #code,
                ".popsection",
                metadata = sym __PVM_GUEST_METADATA,
                function = sym __pvm_guest_trampoline,
            );
        }
    });

    let module = format_ident!("__pvm_guest_export_{}", name);
    Ok(quote! {
        #[cfg_attr(not(#polkavm), allow(dead_code))]
        #function

        // `global_asm!` must be at module level, hence a module rather than a block.
        #(#cfgs)*
        #[cfg(#polkavm)]
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod #module {
            #metadata_struct

            #[unsafe(link_section = ".polkavm_metadata")]
            static __PVM_GUEST_METADATA: #metadata_type = #metadata_type {
                version: 1,
                flags: 0,
                symbol_length: #symbol_length,
                symbol: #symbol_literal.as_ptr(),
                input_regs: #input_regs,
                output_regs: #output_regs,
            };

            #(#trampolines)*
            #(#entries)*
        }
    })
}

/// The `extern "C"` function the export's entry points at: registers in, registers out.
fn export_trampoline(width: Width, name: &Ident, signature: &Signature, section: &str) -> TokenStream2 {
    let cfg = width.cfg();
    let reg = width.reg();
    let mut regs = Vec::new();
    let mut args = Vec::new();
    for param in &signature.params {
        let first = regs.len();
        for _ in 0..param.regs(width) {
            regs.push(format_ident!("__pvm_r{}", regs.len()));
        }
        // The trampoline lives in a module of its own, so it names none of the caller's
        // types; a pointer's type is inferred from the parameter.
        args.push(param.anywhere().decode(width, &regs[first..]));
    }

    let call = quote! {
        // SAFETY: the host calls the export as its author intended; an `unsafe` export
        // documents what the host must uphold.
        (unsafe { super::#name(#(#args),*) })
    };
    let (output, body) = match &signature.result {
        None => (quote!(), quote!(#call;)),
        // A `u64`/`i64` on 32-bit targets: the C ABI returns it in `a0` (low) and `a1` (high).
        Some(result) if result.regs(width) == 2 => (quote!(-> u64), quote!(#call as u64)),
        Some(result) => {
            let value = format_ident!("__pvm_result");
            let expression = result.encode(width, &value).remove(0);
            (quote!(-> #reg), quote!(let #value = #call; #expression))
        }
    };

    quote! {
        #[cfg(#cfg)]
        #[unsafe(link_section = #section)]
        #[allow(unused_unsafe, clippy::unnecessary_cast, clippy::cast_lossless)]
        extern "C" fn __pvm_guest_trampoline(#(#regs: #reg),*) #output {
            #body
        }
    }
}

/// What `#[polkavm_import(...)]` on a function inside the block says.
#[derive(Default)]
struct ImportOptions {
    index: Option<u32>,
    symbol: Option<(Vec<u8>, Span)>,
}

impl ImportOptions {
    fn parse_into(&mut self, attr: &syn::Attribute) -> syn::Result<()> {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("index") {
                let literal: LitInt = meta.value()?.parse()?;
                if self.index.is_some() {
                    return Err(Error::new(literal.span(), "duplicate `index`"));
                }
                self.index = Some(literal.base10_parse()?);
                Ok(())
            } else if meta.path.is_ident("symbol") {
                let value = meta.value()?;
                let (bytes, span) = if value.peek(syn::LitByteStr) {
                    let literal: syn::LitByteStr = value.parse()?;
                    (literal.value(), literal.span())
                } else {
                    let literal: syn::LitStr = value.parse()?;
                    (literal.value().into_bytes(), literal.span())
                };
                if self.symbol.is_some() {
                    return Err(Error::new(span, "duplicate `symbol`"));
                }
                self.symbol = Some((bytes, span));
                Ok(())
            } else {
                Err(meta.error("unknown option; expected `index = N` or `symbol = \"...\"`"))
            }
        })
    }
}

/// Whether an attribute can be copied onto the generated items as it is.
fn is_passthrough_attribute(attr: &syn::Attribute) -> bool {
    ["doc", "cfg", "cfg_attr", "allow", "warn", "deny", "forbid", "expect"]
        .iter()
        .any(|name| attr.path().is_ident(name))
}

fn is_import_attribute(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("polkavm_import")
}

fn import(attr: TokenStream2, block: &ItemForeignMod) -> syn::Result<TokenStream2> {
    check_no_arguments(&attr, "polkavm_import")?;
    let mut errors: Option<Error> = None;
    let mut push = |error: Error| match &mut errors {
        Some(errors) => errors.combine(error),
        None => errors = Some(error),
    };

    if let Err(error) = check_c_abi(Some(&block.abi), block.abi.span(), "an import block") {
        push(error);
    }
    for attr in &block.attrs {
        if !is_passthrough_attribute(attr) {
            push(Error::new(attr.span(), "unsupported attribute on a #[polkavm_import] block"));
        }
    }
    let block_attrs: Vec<_> = block.attrs.iter().filter(|attr| !attr.path().is_ident("doc")).collect();

    let mut functions = Vec::new();
    for item in &block.items {
        match item {
            ForeignItem::Fn(function) => match import_function(function, &block_attrs) {
                Ok(tokens) => functions.push(tokens),
                Err(error) => push(error),
            },
            item => push(Error::new(item.span(), "#[polkavm_import] blocks may only declare functions")),
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let passthrough = host_extern_block(block);
    Ok(quote! {
        #(#functions)*
        #passthrough
    })
}

/// The block as a plain `extern "C"` block (without the import options), for targets
/// other than PolkaVM.
fn host_extern_block(block: &ItemForeignMod) -> TokenStream2 {
    let polkavm = polkavm_cfg();
    let attrs = &block.attrs;
    let items = block.items.iter().map(|item| match item {
        ForeignItem::Fn(function) => {
            let mut function = function.clone();
            function.attrs.retain(|attr| !is_import_attribute(attr));
            function.into_token_stream()
        }
        item => item.into_token_stream(),
    });
    quote! {
        #(#attrs)*
        #[cfg(not(#polkavm))]
        unsafe extern "C" {
            #(#items)*
        }
    }
}

fn import_function(function: &ForeignItemFn, block_attrs: &[&syn::Attribute]) -> syn::Result<TokenStream2> {
    let sig = &function.sig;
    let mut options = ImportOptions::default();
    let mut attrs = Vec::new();
    let mut errors: Option<Error> = None;
    let mut push = |error: Error| match &mut errors {
        Some(errors) => errors.combine(error),
        None => errors = Some(error),
    };
    for attr in &function.attrs {
        if is_import_attribute(attr) {
            if let Err(error) = options.parse_into(attr) {
                push(error);
            }
        } else if is_passthrough_attribute(attr) {
            attrs.push(attr);
        } else {
            push(Error::new(attr.span(), "unsupported attribute on an imported function"));
        }
    }
    if let Some(abi) = &sig.abi {
        push(Error::new(abi.span(), "imported functions take the ABI of their block"));
    }
    if let Some(unsafety) = &sig.unsafety {
        push(Error::new(unsafety.span(), "imported functions are always `unsafe`; remove this"));
    }

    // Parameter names: the declared ones, or fresh ones for `_`.
    let mut param_names = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        let syn::FnArg::Typed(param) = input else { continue };
        match &*param.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.mutability.is_none() && pat.subpat.is_none() => {
                param_names.push(pat.ident.clone())
            }
            Pat::Wild(_) => param_names.push(format_ident!("__pvm_arg{index}")),
            pat => push(Error::new(pat.span(), "expected a parameter name or `_`")),
        }
    }
    let signature = Signature::parse(sig, "polkavm_import");
    let signature = match (errors, signature) {
        (None, Ok(signature)) => signature,
        (Some(mut first), Err(second)) => {
            first.combine(second);
            return Err(first);
        }
        (Some(error), _) | (_, Err(error)) => return Err(error),
    };

    let name = &sig.ident;
    let vis = &function.vis;
    let output = &sig.output;
    let polkavm = polkavm_cfg();
    let (symbol, symbol_span) = options.symbol.unwrap_or_else(|| (name.unraw().to_string().into_bytes(), name.span()));
    let symbol_length = symbol.len() as u32;
    let symbol_literal = syn::LitByteStr::new(&symbol, symbol_span);
    let has_index = options.index.is_some();
    let index = options.index.unwrap_or(0);
    let input_regs = signature.regs_by_width(Signature::input_regs);
    let output_regs = signature.regs_by_width(Signature::output_regs);
    let metadata_type = format_ident!("__PvmGuestExternMetadataV2");
    let metadata_struct = metadata_struct(&metadata_type, true);
    let params = param_names.iter().zip(&signature.params).map(|(name, param)| {
        let ty = &param.ty;
        quote!(#name: #ty)
    });
    let calls = Width::ALL.map(|width| import_call(width, &signature, &param_names));

    Ok(quote! {
        #(#block_attrs)*
        #(#attrs)*
        #[cfg(#polkavm)]
        #[unsafe(link_section = ".text.polkavm_import")]
        #[inline]
        #vis unsafe fn #name(#(#params),*) #output {
            #metadata_struct

            #[unsafe(link_section = ".polkavm_metadata")]
            static __PVM_GUEST_METADATA: #metadata_type = #metadata_type {
                version: 2,
                flags: 0,
                symbol_length: #symbol_length,
                symbol: #symbol_literal.as_ptr(),
                input_regs: #input_regs,
                output_regs: #output_regs,
                has_index: #has_index,
                index: #index,
            };

            #(#calls)*
            __pvm_result
        }
    })
}

/// The host call for one register width, as `let __pvm_result = ...;`.
fn import_call(width: Width, signature: &Signature, param_names: &[Ident]) -> TokenStream2 {
    let cfg = width.cfg();
    let reg = width.reg();
    let mut inputs = Vec::new();
    for (param, name) in signature.params.iter().zip(param_names) {
        for expression in param.encode(width, name) {
            let reg_name = format_ident!("__pvm_r{}", inputs.len());
            inputs.push((reg_name, expression));
        }
    }
    let input_lets = inputs.iter().map(|(name, expression)| quote!(let #name: #reg = #expression;));

    let output_count = signature.output_regs(width);
    let outputs: Vec<Ident> = (0..output_count).map(|index| format_ident!("__pvm_out{index}")).collect();
    let output_lets = outputs.iter().map(|name| quote!(let #name: #reg;));

    // The host may clobber every argument and temporary register (the linker assumes so
    // too), so all of them are outputs of the call.
    let operands = ["a0", "a1", "a2", "a3", "a4", "a5"].iter().enumerate().map(|(index, register)| {
        let output = outputs.get(index).map_or_else(|| quote!(_), |name| quote!(#name));
        match inputs.get(index) {
            Some((input, _)) => quote!(inlateout(#register) #input => #output,),
            None => quote!(lateout(#register) #output,),
        }
    });
    let slot = format!("auipc zero, %pcrel_hi({{metadata}}){}", width.pointer_padding());
    let result = match &signature.result {
        None => quote!(()),
        Some(result) => result.decode(width, &outputs),
    };

    quote! {
        #[cfg(#cfg)]
        #[allow(clippy::unnecessary_cast, clippy::cast_lossless, clippy::let_unit_value)]
        let __pvm_result = {
            #(#input_lets)*
            #(#output_lets)*
            // SAFETY: the instruction and the slot after it are not executed as they
            // are: the linker replaces them with an `ecalli` of this import, whose
            // effect on registers the operands describe. What the host function does
            // is covered by this function being `unsafe`.
            unsafe {
                ::core::arch::asm!(
                    ".insn r 0xb, 0, 0, zero, zero, zero",
                    #slot,
                    #(#operands)*
                    lateout("t0") _,
                    lateout("t1") _,
                    lateout("t2") _,
                    metadata = sym __PVM_GUEST_METADATA,
                    options(nostack),
                );
            }
            #result
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(function: ItemFn) -> syn::Result<Signature> {
        Signature::parse(&function.sig, "polkavm_export")
    }

    fn export_error(function: ItemFn) -> String {
        match export(TokenStream2::new(), &function) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn registers_per_width() {
        let mix = signature(syn::parse_quote! {
            extern "C" fn mix(a: u64, b: i64, c: i8, d: bool) -> i64 { 0 }
        })
        .unwrap();
        assert_eq!((mix.input_regs(Width::W32), mix.output_regs(Width::W32)), (6, 2));
        assert_eq!((mix.input_regs(Width::W64), mix.output_regs(Width::W64)), (4, 1));

        let pointers = signature(syn::parse_quote! {
            extern "C" fn f(a: *const u8, b: *mut Foo, c: core::primitive::usize, d: (u32)) {}
        })
        .unwrap();
        assert_eq!((pointers.input_regs(Width::W32), pointers.output_regs(Width::W32)), (4, 0));
    }

    #[test]
    fn slices_in_imports_take_two_registers() {
        let log = Signature::parse(
            &syn::parse_quote!(fn host_log(message: &str, out: &mut [u8], data: &[u8]) -> u32),
            "polkavm_import",
        )
        .unwrap();
        assert_eq!((log.input_regs(Width::W32), log.input_regs(Width::W64)), (6, 6));
        let block: ItemForeignMod = syn::parse_quote! {
            extern "C" {
                fn host_log(message: &str);
            }
        };
        assert!(import(TokenStream2::new(), &block).is_ok());
        assert!(export_error(syn::parse_quote!(
            fn f(message: &str) {}
        ))
        .contains("imports only"));
        assert!(Signature::parse(&syn::parse_quote!(fn f() -> &'static str), "polkavm_import").is_err());
        assert!(Signature::parse(&syn::parse_quote!(fn f(a: &mut str)), "polkavm_import").is_err());
        assert!(Signature::parse(&syn::parse_quote!(fn f(a: &[u32])), "polkavm_import").is_err());
    }

    #[test]
    fn unsupported_signatures_are_errors() {
        let too_many = export_error(syn::parse_quote! {
            extern "C" fn f(a: u64, b: u64, c: u32, d: u32, e: u32) {}
        });
        assert!(too_many.contains("needs 7 argument registers"), "{too_many}");
        // Six registers on 64-bit targets, but seven on 32-bit ones.
        let too_many = export_error(syn::parse_quote! {
            extern "C" fn f(a: u64, b: u32, c: u32, d: u32, e: u32, f: u32) {}
        });
        assert!(too_many.contains("needs 7 argument registers"), "{too_many}");

        for function in [
            syn::parse_quote!(
                extern "C" fn f(a: String) {}
            ),
            syn::parse_quote!(
                extern "C" fn f(a: &u32) {}
            ),
            syn::parse_quote!(
                extern "C" fn f() -> (u32, u32) {}
            ),
            syn::parse_quote!(
                extern "C" fn f() -> f64 {}
            ),
        ] {
            assert!(export_error(function).contains("unsupported type"));
        }
        assert!(export_error(syn::parse_quote!(
            extern "C" fn f(a: *const [u8]) {}
        ))
        .contains("unsized"));
        assert!(
            export(
                TokenStream2::new(),
                &syn::parse_quote!(
                    fn add(a: u32, b: u32) -> u32 {
                        a + b
                    }
                )
            )
            .is_ok(),
            "a plain fn is an export"
        );
        assert!(export_error(syn::parse_quote!(
            extern "system" fn f() {}
        ))
        .contains("C ABI"));
        assert!(export_error(syn::parse_quote!(
            extern "C" fn f<T>() {}
        ))
        .contains("generic"));
        assert!(export_error(syn::parse_quote!(
            const extern "C" fn f() {}
        ))
        .contains("const fn"));
    }

    #[test]
    fn metadata_and_entries_are_emitted() {
        let tokens = export(
            TokenStream2::new(),
            &syn::parse_quote!(
                extern "C" fn add(a: u32, b: u32) -> u32 {
                    a + b
                }
            ),
        )
        .unwrap()
        .to_string();
        for expected in [
            "\".polkavm_metadata\"",
            "\".text.polkavm_export.add\"",
            "\".pushsection .polkavm_exports,\\\"Ra\\\",@note\"",
            "\"auipc zero, %pcrel_hi({metadata})\\n.4byte 0\"",
            "symbol_length : 3u32",
            "b\"add\"",
        ] {
            assert!(tokens.contains(expected), "{expected} not in {tokens}");
        }
    }

    #[test]
    fn import_options() {
        let block: ItemForeignMod = syn::parse_quote! {
            extern "C" {
                #[polkavm_import(index = 7, symbol = "other")]
                fn f(_: u32) -> u64;
            }
        };
        let tokens = import(TokenStream2::new(), &block).unwrap().to_string();
        assert!(tokens.contains("has_index : true"), "{tokens}");
        assert!(tokens.contains("index : 7u32"), "{tokens}");
        assert!(tokens.contains("b\"other\""), "{tokens}");
        assert!(tokens.contains(".insn r 0xb, 0, 0, zero, zero, zero"), "{tokens}");

        let bad: ItemForeignMod = syn::parse_quote! {
            extern "C" {
                #[polkavm_import(number = 1)]
                fn f();
                static X: u32;
            }
        };
        let error =
            import(TokenStream2::new(), &bad).err().unwrap().into_iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert_eq!(error.len(), 2, "{error:?}");
    }
}
