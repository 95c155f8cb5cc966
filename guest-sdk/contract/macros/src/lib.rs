//! Derives of `pvm-contract` that describe a contract's interface: re-exported as
//! `pvm_contract::Message` and `pvm_contract::Event`; the traits they implement are
//! documented in `pvm_contract::interface`.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::{spanned::Spanned, Data, DeriveInput, Fields};

/// Implements `pvm_contract::interface::Message` for an enum of messages: what each
/// message returns, given by `#[returns(Type)]` on its variant (nothing, `()`, if
/// absent).
#[proc_macro_derive(Message, attributes(returns))]
pub fn derive_message(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    message(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `pvm_contract::interface::Event` for an enum of events: each variant's
/// topics are its signature (the BLAKE2b-256 of its name) and then its fields marked
/// `#[topic]`, in order.
#[proc_macro_derive(Event, attributes(topic))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    event(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

fn variants<'a>(input: &'a DeriveInput, derive: &str) -> syn::Result<impl Iterator<Item = &'a syn::Variant>> {
    match &input.data {
        Data::Enum(_) if !input.generics.params.is_empty() => {
            Err(syn::Error::new(input.generics.span(), format!("`{derive}` does not support generic enums")))
        }
        Data::Enum(data) => Ok(data.variants.iter()),
        _ => Err(syn::Error::new(
            input.ident.span(),
            format!("`{derive}` is for enums, one variant per {}", derive.to_lowercase()),
        )),
    }
}

fn message(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let mut returns = Vec::new();
    for variant in variants(input, "Message")? {
        let mut ty: Option<syn::Type> = None;
        for attr in variant.attrs.iter().filter(|attr| attr.path().is_ident("returns")) {
            if ty.is_some() {
                return Err(syn::Error::new(attr.span(), "more than one `#[returns(..)]`"));
            }
            ty = Some(attr.parse_args()?);
        }
        returns.push(ty.unwrap_or_else(|| syn::parse_quote!(())));
    }
    Ok(quote! {
        impl ::pvm_contract::interface::Message for #name {
            fn returns() -> ::pvm_contract::__private::Vec<::pvm_contract::scale_info::MetaType> {
                ::pvm_contract::__private::vec![#(::pvm_contract::scale_info::MetaType::new::<#returns>()),*]
            }
        }
    })
}

fn event(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let mut signatures = Vec::new();
    let mut topic_fields = Vec::new();
    let mut arms = Vec::new();
    for variant in variants(input, "Event")? {
        let variant_name = &variant.ident;
        let signature: [u8; 32] = Blake2b::<U32>::digest(variant_name.to_string().as_bytes()).into();
        let index = signatures.len();
        signatures.push(quote!([#(#signature),*]));

        // A binding per field, and which fields are topics.
        let mut bindings = Vec::new();
        let mut topics = Vec::new();
        let mut topic_indices = Vec::new();
        for (i, field) in variant.fields.iter().enumerate() {
            let binding = format_ident!("field_{}", i);
            if field.attrs.iter().any(|attr| attr.path().is_ident("topic")) {
                topics.push(quote!(::pvm_contract::interface::topic(#binding)));
                topic_indices.push(i);
            }
            bindings.push((field.ident.clone(), binding));
        }
        let count = topics.len() + 1;
        let pattern = match &variant.fields {
            Fields::Named(_) => {
                let named = bindings.iter().map(|(ident, binding)| quote!(#ident: #binding));
                quote!(Self::#variant_name { #(#named),* })
            }
            Fields::Unnamed(_) => {
                let unnamed = bindings.iter().map(|(_, binding)| binding);
                quote!(Self::#variant_name(#(#unnamed),*))
            }
            Fields::Unit => quote!(Self::#variant_name),
        };
        arms.push(quote! {
            #[allow(unused_variables)]
            #pattern => {
                const _: () = ::core::assert!(
                    #count <= ::pvm_contract::abi::MAX_EVENT_TOPICS,
                    "an event has more topics (its signature and its #[topic] fields) than the chain allows",
                );
                ::pvm_contract::__private::vec![Self::SIGNATURES[#index], #(#topics),*]
            }
        });
        topic_fields.push(quote!(&[#(#topic_indices),*]));
    }
    // An enum without variants (a contract without events) has no values to match.
    let body = if arms.is_empty() { quote!(match *self {}) } else { quote!(match self { #(#arms)* }) };
    Ok(quote! {
        impl ::pvm_contract::interface::Event for #name {
            const SIGNATURES: &'static [::pvm_contract::Hash] = &[#(#signatures),*];
            const TOPIC_FIELDS: &'static [&'static [usize]] = &[#(#topic_fields),*];

            fn topics(&self) -> ::pvm_contract::__private::Vec<::pvm_contract::Hash> {
                #body
            }
        }
    })
}
